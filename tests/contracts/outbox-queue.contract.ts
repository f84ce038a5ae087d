import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent } from '../../core/shared/entities/events.js';
import type { OutboxQueue } from '../../core/shared/ports/outbox-queue.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import { notFound } from '../../core/shared/entities/errors.js';

export interface OutboxQueueFixture {
  readonly queue: OutboxQueue;
  /** A unit of work whose events go to `queue`; `requestId` is what the outbox records. */
  unitOfWork(requestId: string | null): UnitOfWork;
  /** Empties the outbox (between tests). */
  reset(): Promise<void>;
  close?(): Promise<void>;
}

const T0 = new Date('2031-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const LEASE = 60;

export const anEvent = (occurredAt: Date, type = 'record.created', data: Record<string, unknown> = { n: 1 }): DomainEvent => ({
  id: uuidv7(),
  type,
  occurredAt,
  actorId: uuidv7(),
  subjectId: uuidv7(),
  data,
});

/** The delivery side of the outbox, the same on every adapter. */
export const outboxQueueContract = (name: string, setup: (ctx: Mocha.Context) => Promise<OutboxQueueFixture>): void => {
  describe(`OutboxQueue contract: ${name}`, function () {
    let fixture: OutboxQueueFixture | undefined;
    let queue: OutboxQueue;
    before(async function () {
      // Starting PGlite takes long on a loaded machine.
      this.timeout(180_000);
      fixture = await setup(this);
    });
    beforeEach(async () => {
      await fixture!.reset();
      queue = fixture!.queue;
    });
    after(async () => fixture?.close?.());

    const commit = async (events: readonly DomainEvent[], requestId: string | null = 'req-1') => {
      const result = await fixture!.unitOfWork(requestId).run(async (scope) => {
        for (const e of events) await scope.events.record(e);
        return E.right(undefined);
      });
      expect(E.isRight(result)).to.equal(true);
    };

    it('claims committed events oldest first, with their request id and data, and leases them', async () => {
      const late = anEvent(at(2), 'user.registered', { email: 'a@example.com', nested: { ok: true } });
      const early = anEvent(at(1));
      await commit([late, early], 'req-42');
      const claimed = await queue.claim(10, at(10), at(10 + LEASE));
      expect(claimed.map((c) => c.event.id)).to.deep.equal([early.id, late.id]);
      expect(claimed.map((c) => c.attempts)).to.deep.equal([1, 1]);
      const second = claimed[1]!.event;
      expect(second).to.deep.include({ type: 'user.registered', requestId: 'req-42', actorId: late.actorId, subjectId: late.subjectId });
      expect(second.data).to.deep.equal({ email: 'a@example.com', nested: { ok: true } });
      expect(second.occurredAt.toISOString()).to.equal(at(2).toISOString());
      // Leased: nobody else gets them until the lease ends; then they come back, one attempt more.
      expect(await queue.claim(10, at(10 + LEASE - 1), at(20 + LEASE))).to.deep.equal([]);
      const again = await queue.claim(10, at(10 + LEASE), at(10 + 2 * LEASE));
      expect(again.map((c) => [c.event.id, c.attempts])).to.deep.equal([[early.id, 2], [late.id, 2]]);
    });

    it('never sees the events of a unit of work that rolled back', async () => {
      const result = await fixture!.unitOfWork(null).run(async (scope) => {
        await scope.events.record(anEvent(at(1)));
        return E.left(notFound('nope'));
      });
      expect(E.isLeft(result)).to.equal(true);
      expect(await queue.claim(10, at(10), at(10 + LEASE))).to.deep.equal([]);
    });

    it('claims at most the limit', async () => {
      await commit([anEvent(at(1)), anEvent(at(2)), anEvent(at(3))]);
      expect(await queue.claim(2, at(10), at(10 + LEASE))).to.have.length(2);
      expect(await queue.claim(2, at(10), at(10 + LEASE))).to.have.length(1);
    });

    it('does not claim delivered events again, and purges them only after the cutoff', async () => {
      const a = anEvent(at(1));
      const b = anEvent(at(2));
      const pending = anEvent(at(3));
      await commit([a, b, pending]);
      await queue.claim(2, at(10), at(10 + LEASE));
      await queue.markDelivered([a.id], at(20));
      await queue.markDelivered([b.id], at(40));
      const next = await queue.claim(10, at(10 + LEASE), at(10 + 2 * LEASE));
      expect(next.map((c) => c.event.id)).to.deep.equal([pending.id]);
      expect(await queue.purgeDelivered(at(30))).to.equal(1);
      expect(await queue.purgeDelivered(at(30))).to.equal(0);
      expect(await queue.purgeDelivered(at(1000))).to.equal(1);
      // The undelivered one is still there.
      expect((await queue.claim(10, at(1000), at(1000 + LEASE))).map((c) => c.event.id)).to.deep.equal([pending.id]);
    });

    it('retries a failed event from its retry time, and keeps a given-up one out of claims and purges', async () => {
      const retried = anEvent(at(1));
      const dead = anEvent(at(2));
      await commit([retried, dead]);
      await queue.claim(10, at(10), at(10 + LEASE));
      await queue.markFailed(retried.id, 'handler broke', at(15));
      await queue.markFailed(dead.id, 'gave up', null);
      expect(await queue.claim(10, at(14), at(14 + LEASE))).to.deep.equal([]);
      const again = await queue.claim(10, at(15), at(15 + LEASE));
      expect(again.map((c) => [c.event.id, c.attempts])).to.deep.equal([[retried.id, 2]]);
      await queue.markDelivered([retried.id], at(16));
      expect(await queue.claim(10, at(10_000), at(10_000 + LEASE))).to.deep.equal([]);
      expect(await queue.purgeDelivered(at(100_000))).to.equal(1);
      expect(await queue.claim(10, at(100_000), at(100_000 + LEASE))).to.deep.equal([]);
    });

    it('hands concurrent claims disjoint events, every event to one of them', async () => {
      const events = Array.from({ length: 40 }, (_, i) => anEvent(at(i)));
      await commit(events);
      const claims = await Promise.all([1, 2, 3, 4].map(() => queue.claim(15, at(100), at(100 + LEASE))));
      const ids = claims.flat().map((c) => c.event.id);
      expect(new Set(ids).size).to.equal(ids.length);
      expect([...ids].sort()).to.deep.equal(events.map((e) => e.id).sort());
    });
  });
};
