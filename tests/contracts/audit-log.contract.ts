import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { AuditEvent } from '../../core/audit/entities/audit-event.js';
import type { AuditFilter, AuditLog } from '../../core/audit/ports/audit-log.js';
import { left, right } from '../support/builders.js';

export interface AuditLogFixture {
  readonly log: AuditLog;
  close?(): Promise<void>;
}

const T0 = new Date('2031-03-01T08:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export const anAuditEvent = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: uuidv7(),
  type: 'record.created',
  actorId: uuidv7(),
  subjectId: uuidv7(),
  requestId: 'req-1',
  occurredAt: T0,
  data: { changed: ['name'], nested: { n: 1 } },
  ...overrides,
});

/** The behaviour every AuditLog adapter shares. Each test filters on a type of its own. */
export const auditLogContract = (name: string, setup: (ctx: Mocha.Context) => Promise<AuditLogFixture>): void => {
  describe(`AuditLog contract: ${name}`, function () {
    this.timeout(90_000);
    let fixture: AuditLogFixture | undefined;
    let log: AuditLog;
    before(async function () {
      fixture = await setup(this);
      log = fixture.log;
    });
    after(async () => {
      await fixture?.close?.();
    });

    const ofType = () => `test.${uuidv7().slice(-12)}`;
    const list = async (filter: AuditFilter, size = 50) => right(await log.list(filter, { page: 1, size }));

    it('records an event once per id, as given', async () => {
      const type = ofType();
      const e = anAuditEvent({ type, requestId: null, actorId: null });
      expect(await log.record(e)).to.equal(true);
      expect(await log.record({ ...e, data: { other: true } })).to.equal(false);
      const page = await list({ type });
      expect(page.items).to.deep.equal([e]);
      expect(page.total).to.equal(1);
    });

    it('lists newest first and filters by type, actor and a [from, to) window', async () => {
      const type = ofType();
      const alice = uuidv7();
      const events = [0, 1, 2, 3].map((i) => anAuditEvent({ type, occurredAt: at(i), actorId: i % 2 === 0 ? alice : uuidv7(), data: { i } }));
      for (const e of events) await log.record(e);
      await log.record(anAuditEvent({ type: ofType(), actorId: alice }));
      const i = (p: { items: readonly AuditEvent[] }) => p.items.map((e) => e.data['i']);
      expect(i(await list({ type }))).to.deep.equal([3, 2, 1, 0]);
      expect(i(await list({ type, actorId: alice }))).to.deep.equal([2, 0]);
      expect(i(await list({ type, from: at(1), to: at(3) }))).to.deep.equal([2, 1]);
      expect(i(await list({ type, from: at(3) }))).to.deep.equal([3]);
    });

    it('pages by cursor without gaps or repeats among events at the same instant', async () => {
      const type = ofType();
      for (let n = 0; n < 5; n++) await log.record(anAuditEvent({ type, occurredAt: T0 }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = right(await log.list({ type }, { page: 1, size: 2, ...(cursor ? { cursor } : {}) }));
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).to.have.length(5);
      expect(new Set(seen).size).to.equal(5);
      expect(left(await log.list({ type }, { page: 1, size: 2, cursor: 'bogus' }))._tag).to.equal('Validation');
    });

    it('retention: purgeBefore removes exactly the entries that occurred before the cutoff, and says how many', async () => {
      const type = ofType();
      // Long before anything the other tests record, so the count below is this test's alone.
      const old = new Date('2001-01-01T00:00:00.000Z');
      const cutoff = new Date(old.getTime() + 3_600_000);
      const expired = [0, 1, 2].map((i) => anAuditEvent({ type, occurredAt: new Date(old.getTime() + i * 1000), data: { i } }));
      const atCutoff = anAuditEvent({ type, occurredAt: cutoff, data: { i: 'cutoff' } });
      const recent = anAuditEvent({ type, occurredAt: T0, data: { i: 'recent' } });
      for (const e of [...expired, atCutoff, recent]) await log.record(e);
      expect(await log.purgeBefore(cutoff)).to.equal(3);
      expect((await list({ type })).items.map((e) => e.id)).to.deep.equal([recent.id, atCutoff.id]);
      expect(await log.purgeBefore(cutoff)).to.equal(0);
    });
  });
};
