import { expect } from 'chai';
import { isCalendarDateTime } from '../../../core/shared/entities/calendar.js';

describe('isCalendarDateTime (RFC 3339 naming a real moment)', () => {
  for (const ok of ['2027-02-28T10:00:00Z', '2028-02-29T23:59:59.999Z', '2027-03-29T09:00:00+02:00', '2027-01-01T00:00Z', '2000-02-29T00:00:00-05:30', '2027-12-31T23:59:59.123456Z']) {
    it(`accepts ${ok}`, () => expect(isCalendarDateTime(ok)).to.equal(true));
  }
  for (const bad of [
    '2027-02-29T10:00:00Z',
    '2027-02-30T10:00:00Z',
    '1900-02-29T00:00:00Z',
    '2027-04-31T10:00:00Z',
    '2027-13-01T10:00:00Z',
    '2027-00-10T10:00:00Z',
    '2027-01-00T10:00:00Z',
    '2027-01-01T24:00:00Z',
    '2027-01-01T10:60:00Z',
    '2027-01-01T10:00:60Z',
    '2027-01-01T10:00:00+24:00',
    '2027-01-01T10:00:00',
    '2027-01-01 10:00:00Z',
    '0000-01-01T00:00:00.000Z'.replace('0000', 'abcd'),
  ]) {
    it(`refuses ${bad}`, () => expect(isCalendarDateTime(bad)).to.equal(false));
  }
});
