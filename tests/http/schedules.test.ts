import { expect } from 'chai';
import ICAL from 'ical.js';
import request from 'supertest';
import { schedulesApp, type Who } from './schedules-app.js';

const API = '/api/v1/schedules';

interface ScheduleBody {
  id: string;
  giver_id: string;
  taker_id: string | null;
  starts_at: string;
  ends_at: string;
  status: string;
  version: number;
  created_by_role: string;
  updated_by_role: string;
}

describe('HTTP /api/v1/schedules', () => {
  let ctx: Awaited<ReturnType<typeof schedulesApp>>;
  beforeEach(async () => {
    ctx = await schedulesApp();
  });

  const auth = (who: Who) => ({ Authorization: `Bearer ${who}` });
  const as = (who: Who) => ({
    post: (path: string, body?: unknown) => request(ctx.app).post(path).set(auth(who)).send(body as object),
    get: (path: string) => request(ctx.app).get(path).set(auth(who)),
    patch: (id: string, body: unknown) => request(ctx.app).patch(`${API}/${id}`).set(auth(who)).send(body as object),
    delete: (id: string) => request(ctx.app).delete(`${API}/${id}`).set(auth(who)),
  });
  const fields = (res: request.Response) => ((res.body.detail ?? []) as { field: string }[]).map((d) => d.field);
  const offer = async (who: Who, items: { starts_at: string; ends_at: string; note?: string }[]) => {
    const res = await as(who).post(API, { schedules: items.map((i) => ({ giver_id: ctx.actor(who).userId, ...i })) }).expect(201);
    return res.body.data.schedules as ScheduleBody[];
  };
  const aSlot = async (who: Who = 'giver', starts = '2031-01-20T10:00:00Z', ends = '2031-01-20T11:00:00Z') => (await offer(who, [{ starts_at: starts, ends_at: ends }]))[0]!;

  describe('POST /schedules', () => {
    it('a giver offers slots: 201, UTC Z out whatever offset came in, who created them', async () => {
      const [a, b] = await offer('giver', [
        { starts_at: '2031-01-20T10:00:00+02:00', ends_at: '2031-01-20T11:00:00+02:00', note: 'Room 4' },
        { starts_at: '2031-01-20T04:00:00-05:00', ends_at: '2031-01-20T10:30:00Z' },
      ]);
      expect(a).to.deep.include({ starts_at: '2031-01-20T08:00:00.000Z', ends_at: '2031-01-20T09:00:00.000Z', status: 'available', taker_id: null, version: 1, created_by_role: 'giver' });
      expect(b).to.deep.include({ starts_at: '2031-01-20T09:00:00.000Z', ends_at: '2031-01-20T10:30:00.000Z' });
    });

    it('a taker asks a giver for a time: pending, taker_id = the taker', async () => {
      const res = await as('taker')
        .post(API, { schedules: [{ giver_id: ctx.actor('giver').userId, starts_at: '2031-01-21T10:00:00Z', ends_at: '2031-01-21T11:00:00Z' }] })
        .expect(201);
      expect(res.body.data.schedules[0]).to.deep.include({ status: 'pending', taker_id: ctx.actor('taker').userId, created_by_role: 'taker' });
    });

    it('403 for a giver naming another giver; 422 naming the field for a taker naming a non-giver, for unknown fields and for bad times', async () => {
      const slot = { starts_at: '2031-01-20T10:00:00Z', ends_at: '2031-01-20T11:00:00Z' };
      expect((await as('giver').post(API, { schedules: [{ giver_id: ctx.actor('giver2').userId, ...slot }] }).expect(403)).body.error).to.equal('FORBIDDEN');
      expect(fields(await as('taker').post(API, { schedules: [{ giver_id: ctx.actor('taker2').userId, ...slot }] }).expect(422))).to.deep.equal(['schedules.0.giver_id']);
      const g = ctx.actor('giver').userId;
      expect(fields(await as('giver').post(API, { schedules: [{ giver_id: g, ...slot, status: 'booked' }] }).expect(422))).to.deep.equal(['schedules.0.status']);
      expect(fields(await as('giver').post(API, { schedules: [{ giver_id: g, ...slot, starts_at: '2031-01-20 10:00' }] }).expect(422))).to.deep.equal(['schedules.0.starts_at']);
      expect(fields(await as('giver').post(API, { schedules: [{ giver_id: g, ...slot, ends_at: slot.starts_at }] }).expect(422))).to.deep.equal(['schedules.0.ends_at']);
      expect(fields(await as('giver').post(API, { schedules: [] }).expect(422))).to.deep.equal(['schedules']);
      expect((await as('giver').get(API).expect(200)).body.data.items).to.deep.equal([]);
    });

    it('all or nothing: one overlapping item is a 409 naming it, and nothing is created', async () => {
      await aSlot('giver', '2031-01-20T12:00:00Z', '2031-01-20T13:00:00Z');
      const g = ctx.actor('giver').userId;
      const res = await as('giver')
        .post(API, {
          schedules: [
            { giver_id: g, starts_at: '2031-01-20T10:00:00Z', ends_at: '2031-01-20T11:00:00Z' },
            { giver_id: g, starts_at: '2031-01-20T12:30:00Z', ends_at: '2031-01-20T13:30:00Z' },
          ],
        })
        .expect(409);
      expect(res.body).to.include({ error: 'CONFLICT' });
      expect(res.body.message).to.match(/^schedules\.1: /);
      expect((await as('giver').get(API).expect(200)).body.data.meta.total).to.equal(1);
    });

    it('Idempotency-Key: a retry replays the first response and creates nothing more', async () => {
      const body = { schedules: [{ giver_id: ctx.actor('giver').userId, starts_at: '2031-01-20T10:00:00Z', ends_at: '2031-01-20T11:00:00Z' }] };
      const first = await as('giver').post(API, body).set('Idempotency-Key', 'k-1').expect(201);
      const again = await as('giver').post(API, body).set('Idempotency-Key', 'k-1').expect(201);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(again.body.data).to.deep.equal(first.body.data);
      expect((await as('giver').get(API).expect(200)).body.data.meta.total).to.equal(1);
      await as('giver').post(API, { schedules: [{ ...body.schedules[0], note: 'x' }] }).set('Idempotency-Key', 'k-1').expect(422);
    });
  });

  describe('transitions', () => {
    it('book: 200 with the new ETag; the second taker gets 409 CONFLICT', async () => {
      const s = await aSlot();
      const won = await as('taker').post(`${API}/${s.id}/book`).expect(200);
      expect(won.body.data).to.deep.include({ status: 'booked', taker_id: ctx.actor('taker').userId, version: 2, updated_by_role: 'taker' });
      expect(won.headers['etag']).to.equal('"2"');
      expect((await as('taker2').post(`${API}/${s.id}/book`).expect(409)).body.error).to.equal('CONFLICT');
      expect((await as('giver').post(`${API}/${s.id}/book`).expect(403)).body.error).to.equal('FORBIDDEN');
    });

    it('accept and reject are the giver\'s; cancel any participant\'s; invalid transitions are 409', async () => {
      const ask = async (starts: string, ends: string) =>
        (await as('taker').post(API, { schedules: [{ giver_id: ctx.actor('giver').userId, starts_at: starts, ends_at: ends }] }).expect(201)).body.data.schedules[0] as ScheduleBody;
      const a = await ask('2031-01-22T10:00:00Z', '2031-01-22T11:00:00Z');
      await as('taker').post(`${API}/${a.id}/accept`).expect(403);
      expect((await as('giver').post(`${API}/${a.id}/accept`).expect(200)).body.data.status).to.equal('booked');
      await as('giver').post(`${API}/${a.id}/reject`).expect(409);
      const b = await ask('2031-01-23T10:00:00Z', '2031-01-23T11:00:00Z');
      expect((await as('giver').post(`${API}/${b.id}/reject`).expect(200)).body.data.status).to.equal('rejected');
      expect((await as('taker').post(`${API}/${a.id}/cancel`).expect(200)).body.data).to.deep.include({ status: 'cancelled', updated_by_role: 'taker' });
      await as('taker2').post(`${API}/${a.id}/cancel`).expect(404);
    });
  });

  describe('single schedules', () => {
    it('GET gives an ETag; PATCH and DELETE honour If-Match (412 on a stale one)', async () => {
      const s = await aSlot();
      const got = await as('giver').get(`${API}/${s.id}`).expect(200);
      expect(got.headers['etag']).to.equal('"1"');
      const moved = await as('giver').patch(s.id, { starts_at: '2031-01-20T10:30:00+01:00', ends_at: '2031-01-20T11:30:00+01:00' }).set('If-Match', '"1"').expect(200);
      expect(moved.body.data).to.deep.include({ starts_at: '2031-01-20T09:30:00.000Z', version: 2 });
      expect(moved.headers['etag']).to.equal('"2"');
      expect((await as('giver').patch(s.id, { note: 'late' }).set('If-Match', '"1"').expect(412)).body.error).to.equal('PRECONDITION_FAILED');
      await as('giver').delete(s.id).set('If-Match', '"1"').expect(412);
      await as('giver').delete(s.id).set('If-Match', '"2"').expect(204);
      await as('giver').get(`${API}/${s.id}`).expect(404);
    });

    it('PATCH: only the creator, only while available or pending, no unknown fields; DELETE: never a booking', async () => {
      const s = await aSlot();
      await as('giver2').patch(s.id, { note: 'mine now' }).expect(403);
      expect(fields(await as('giver').patch(s.id, { status: 'booked' }).expect(422))).to.deep.equal(['status']);
      await as('taker').post(`${API}/${s.id}/book`).expect(200);
      await as('giver').patch(s.id, { note: 'x' }).expect(409);
      expect((await as('giver').delete(s.id).expect(409)).body.error).to.equal('CONFLICT');
    });

    it('participants and admins see a booking; anyone else gets 404, as for an unknown or malformed id', async () => {
      const s = await aSlot();
      await as('taker2').get(`${API}/${s.id}`).expect(200);
      await as('taker').post(`${API}/${s.id}/book`).expect(200);
      await as('taker').get(`${API}/${s.id}`).expect(200);
      await as('admin').get(`${API}/${s.id}`).expect(200);
      expect((await as('taker2').get(`${API}/${s.id}`).expect(404)).body.error).to.equal('NOT_FOUND');
      await as('taker2').get(`${API}/not-an-id`).expect(404);
    });
  });

  describe('GET /schedules', () => {
    it('filters by giver, status and a from/to window given with offsets (an unencoded + included); sorts by starts_at; pages by cursor', async () => {
      const mine = await offer('giver', [
        { starts_at: '2031-01-20T08:00:00Z', ends_at: '2031-01-20T09:00:00Z' },
        { starts_at: '2031-01-20T09:00:00Z', ends_at: '2031-01-20T10:00:00Z' },
        { starts_at: '2031-01-21T09:00:00Z', ends_at: '2031-01-21T10:00:00Z' },
      ]);
      await aSlot('giver2');
      const g = ctx.actor('giver').userId;
      const byGiver = (await as('taker').get(`${API}?giver_id=${g}`).expect(200)).body.data;
      expect(byGiver.items.map((s: ScheduleBody) => s.id)).to.deep.equal(mine.map((s) => s.id));
      const window = (await as('taker').get(`${API}?giver_id=${g}&from=2031-01-20T10:00:00+01:00&to=2031-01-20T12:00:00%2B01:00`).expect(200)).body.data;
      expect(window.items.map((s: ScheduleBody) => s.id)).to.deep.equal([mine[1]!.id]);
      const desc = (await as('taker').get(`${API}?giver_id=${g}&sort=-starts_at`).expect(200)).body.data;
      expect(desc.items[0].id).to.equal(mine[2]!.id);
      // An empty parameter counts as absent (clients fill query strings from templates): the first page.
      const first = (await as('taker').get(`${API}?giver_id=${g}&size=2&cursor=`).expect(200)).body.data;
      expect(first.items).to.have.length(2);
      const page1 = (await as('taker').get(`${API}?giver_id=${g}&size=2`).expect(200)).body.data;
      const page2 = (await as('taker').get(`${API}?giver_id=${g}&size=2&cursor=${page1.meta.next_cursor}`).expect(200)).body.data;
      expect([...page1.items, ...page2.items].map((s: ScheduleBody) => s.id)).to.deep.equal(mine.map((s) => s.id));
      expect(page2.meta.next_cursor).to.equal(null);
      expect([page1.meta.total, page2.meta.total], 'a cursor page does not count unless asked').to.deep.equal([3, null]);
      const counted = (await as('taker').get(`${API}?giver_id=${g}&size=2&with_total=true&cursor=${page1.meta.next_cursor}`).expect(200)).body.data;
      expect([counted.meta.total, counted.meta.pages]).to.deep.equal([3, 2]);
      expect(fields(await as('taker').get(`${API}?sort=created_at`).expect(422))).to.deep.equal(['sort']);
      expect(fields(await as('taker').get(`${API}?status=gone`).expect(422))).to.deep.equal(['status']);
      expect(fields(await as('taker').get(`${API}?size=101`).expect(422))).to.deep.equal(['size']);
    });
  });

  describe('GET /schedules/calendar', () => {
    it("is the caller's booked and pending schedules as RFC 5545 that a standard parser reads", async () => {
      const booked = await aSlot('giver', '2031-01-20T10:00:00Z', '2031-01-20T11:00:00Z');
      await as('taker').post(`${API}/${booked.id}/book`).expect(200);
      await aSlot('giver', '2031-01-20T12:00:00Z', '2031-01-20T13:00:00Z');
      const asked = (await as('taker')
        .post(API, { schedules: [{ giver_id: ctx.actor('giver2').userId, starts_at: '2031-01-21T10:00:00Z', ends_at: '2031-01-21T11:30:00Z', note: 'Bring the logs; and, commas' }] })
        .expect(201)).body.data.schedules[0] as ScheduleBody;
      const res = await as('taker').get(`${API}/calendar`).expect(200);
      expect(res.headers['content-type']).to.match(/^text\/calendar; charset=utf-8/);
      const calendar = new ICAL.Component(ICAL.parse(res.text));
      const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      expect(events.map((e) => [e.uid, e.startDate.toJSDate().toISOString(), e.endDate.toJSDate().toISOString()])).to.deep.equal([
        [`${booked.id}@portside`, '2031-01-20T10:00:00.000Z', '2031-01-20T11:00:00.000Z'],
        [`${asked.id}@portside`, '2031-01-21T10:00:00.000Z', '2031-01-21T11:30:00.000Z'],
      ]);
      const statuses = calendar.getAllSubcomponents('vevent').map((v) => v.getFirstPropertyValue('status'));
      expect(statuses).to.deep.equal(['CONFIRMED', 'TENTATIVE']);
      expect(events[1]!.description).to.equal('Bring the logs; and, commas');
      const giverFeed = new ICAL.Component(ICAL.parse((await as('giver').get(`${API}/calendar`).expect(200)).text));
      expect(giverFeed.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).uid)).to.deep.equal([`${booked.id}@portside`]);
      await request(ctx.app).get(`${API}/calendar`).expect(401);
    });
  });

  describe('what a black-box review found', () => {
    const g = () => ctx.actor('giver').userId;
    const slot = (starts_at: string, ends_at: string) => ({ schedules: [{ giver_id: g(), starts_at, ends_at }] });

    it('an impossible calendar date is a 422 on its field, in a body and in a filter, never stored as another day', async () => {
      expect(fields(await as('giver').post(API, slot('2031-02-30T10:00:00Z', '2031-03-02T11:00:00Z')).expect(422))).to.deep.equal(['schedules.0.starts_at']);
      expect(fields(await as('giver').post(API, slot('2031-01-20T10:00:00Z', '2031-01-20T24:00:00Z')).expect(422))).to.deep.equal(['schedules.0.ends_at']);
      expect(fields(await as('giver').get(`${API}?from=2031-04-31T10:00:00Z`).expect(422))).to.deep.equal(['from']);
    });

    it('a hand-made cursor holding an impossible date is a 422 on cursor, not a database error', async () => {
      const cursor = Buffer.from(JSON.stringify(['starts_at', '2031-02-30T00:00:00.000Z', '01940c1d-0000-7000-8000-000000000001'])).toString('base64url');
      expect(fields(await as('taker').get(`${API}?cursor=${cursor}`).expect(422))).to.deep.equal(['cursor']);
    });

    it('the same Idempotency-Key with other times is a 422, not a replay of the first slot', async () => {
      await as('giver').post(API, slot('2031-09-05T10:00:00Z', '2031-09-05T11:00:00Z')).set('Idempotency-Key', 'times-1').expect(201);
      await as('giver').post(API, slot('2031-09-05T10:00:00Z', '2031-09-05T11:00:00Z')).set('Idempotency-Key', 'times-1').expect(201);
      const other = await as('giver').post(API, slot('2031-10-06T10:00:00Z', '2031-10-06T11:00:00Z')).set('Idempotency-Key', 'times-1').expect(422);
      expect(other.body.error).to.equal('VALIDATION_ERROR');
    });

    it('If-Match compares tags strongly: "01" is not the current "1"', async () => {
      const created = (await as('giver').post(API, slot('2031-11-05T10:00:00Z', '2031-11-05T11:00:00Z')).expect(201)).body.data.schedules[0];
      await as('giver').patch(created.id, { starts_at: '2031-11-05T09:00:00Z' }).set('If-Match', '"01"').expect(412);
      await as('giver').patch(created.id, { starts_at: '2031-11-05T09:00:00Z' }).set('If-Match', '"1"').expect(200);
    });
  });
});
