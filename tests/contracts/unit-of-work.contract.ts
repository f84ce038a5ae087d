import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import type { RecordRepository } from '../../core/records/ports/record-repository.js';
import { businessRule } from '../../core/shared/entities/errors.js';
import type { DomainEvent } from '../../core/shared/entities/events.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import { right } from '../support/builders.js';
import { aRecord } from './record-repository.contract.js';

/** An event as the outbox keeps it: every field of the domain event plus the request that caused it. */
export interface KeptEvent extends DomainEvent {
  readonly requestId: string | null;
}

export interface UnitOfWorkFixture {
  readonly uow: UnitOfWork;
  /** Reads outside any unit of work: what was committed. */
  readonly records: RecordRepository;
  /** The committed outbox entry with this id, or null (read outside any unit of work). */
  readonly outboxEvent: (id: string) => Promise<KeptEvent | null>;
  /** What the adapter's request-id source answers from now on. */
  setRequestId(id: string | null): void;
  close?(): Promise<void>;
}

export const anEvent = (overrides: Partial<DomainEvent> = {}): DomainEvent => ({
  id: uuidv7(),
  type: 'record.created',
  occurredAt: new Date('2031-06-01T12:34:56.789Z'),
  actorId: uuidv7(),
  subjectId: uuidv7(),
  data: { name: 'Nightly import', nested: { n: 3, list: ['a', 'b'] } },
  ...overrides,
});

/**
 * All or nothing: a unit of work that returns a Left or throws keeps none of its writes, its
 * outbox rows included; one that returns a Right keeps all of them.
 */
const unitOfWorkContract = (fixture: () => UnitOfWorkFixture): void => {
  describe('UnitOfWork contract', function () {
    let fx: UnitOfWorkFixture;
    before(() => {
      fx = fixture();
    });

    it('keeps every write and event of a unit that returns a Right', async () => {
      const record = aRecord();
      const event = anEvent({ subjectId: record.id });
      const result = await fx.uow.run(async (scope) => {
        await scope.records.insert(record);
        await scope.events.record(event);
        return E.right('done');
      });
      expect(right(result)).to.equal('done');
      expect((await fx.records.findById(record.id))?.name).to.equal(record.name);
      expect((await fx.outboxEvent(event.id))?.type).to.equal(event.type);
    });

    it('keeps nothing of a unit that returns a Left, and hands back that Left', async () => {
      const record = aRecord();
      const events = [anEvent({ subjectId: record.id }), anEvent({ type: 'record.updated' })];
      const refusal = businessRule('refused after writing');
      const result = await fx.uow.run(async (scope) => {
        await scope.records.insert(record);
        for (const event of events) await scope.events.record(event);
        return E.left(refusal);
      });
      expect(result).to.deep.equal(E.left(refusal));
      expect(await fx.records.findById(record.id)).to.equal(null);
      for (const event of events) expect(await fx.outboxEvent(event.id)).to.equal(null);
    });

    it('keeps nothing of a unit that throws, and rethrows', async () => {
      const record = aRecord();
      const event = anEvent({ subjectId: record.id });
      const failure = new Error('the use case failed midway');
      const outcome = await fx.uow
        .run(async (scope) => {
          await scope.records.insert(record);
          await scope.events.record(event);
          throw failure;
        })
        .then(
          () => 'committed',
          (error: unknown) => error,
        );
      expect(outcome).to.equal(failure);
      expect(await fx.records.findById(record.id)).to.equal(null);
      expect(await fx.outboxEvent(event.id)).to.equal(null);
    });

    it('undoes an update to an existing row when the unit is refused', async () => {
      const record = aRecord();
      right(await fx.uow.run(async (scope) => E.right(await scope.records.insert(record))));
      const result = await fx.uow.run(async (scope) => {
        right(await scope.records.update({ ...record, name: 'renamed', version: 2 }, 1));
        await scope.events.record(anEvent({ type: 'record.updated', subjectId: record.id }));
        return E.left(businessRule('no'));
      });
      expect(E.isLeft(result)).to.equal(true);
      expect(await fx.records.findById(record.id)).to.include({ name: record.name, version: 1 });
    });

    it('a refused unit does not undo the unit committed before it', async () => {
      const kept = aRecord();
      const keptEvent = anEvent({ subjectId: kept.id });
      right(
        await fx.uow.run(async (scope) => {
          await scope.records.insert(kept);
          await scope.events.record(keptEvent);
          return E.right(null);
        }),
      );
      const refused = aRecord();
      await fx.uow.run(async (scope) => {
        await scope.records.insert(refused);
        return E.left(businessRule('no'));
      });
      expect(await fx.records.findById(kept.id)).to.not.equal(null);
      expect(await fx.outboxEvent(keptEvent.id)).to.not.equal(null);
      expect(await fx.records.findById(refused.id)).to.equal(null);
    });
  });
};

/**
 * The outbox: an event exists if and only if the unit of work that recorded it committed, with
 * every field as recorded and the id of the request that caused it.
 */
const eventOutboxContract = (fixture: () => UnitOfWorkFixture): void => {
  describe('EventOutbox contract', function () {
    let fx: UnitOfWorkFixture;
    before(() => {
      fx = fixture();
    });
    afterEach(() => fx.setRequestId(null));

    const commit = async (...events: DomainEvent[]) =>
      right(
        await fx.uow.run(async (scope) => {
          for (const event of events) await scope.events.record(event);
          return E.right(null);
        }),
      );

    it('keeps a committed event with every field and its request id', async () => {
      const event = anEvent();
      fx.setRequestId('req-0f0c6b9e-a');
      await commit(event);
      expect(await fx.outboxEvent(event.id)).to.deep.equal({ ...event, requestId: 'req-0f0c6b9e-a' });
    });

    it('keeps null actor, subject and request id as null, and empty data as empty', async () => {
      const event = anEvent({ actorId: null, subjectId: null, data: {} });
      await commit(event);
      expect(await fx.outboxEvent(event.id)).to.deep.equal({ ...event, requestId: null });
    });

    it('stamps each event with the request current when it was recorded', async () => {
      const first = anEvent();
      const second = anEvent();
      fx.setRequestId('req-1');
      await commit(first);
      fx.setRequestId('req-2');
      await commit(second);
      expect((await fx.outboxEvent(first.id))?.requestId).to.equal('req-1');
      expect((await fx.outboxEvent(second.id))?.requestId).to.equal('req-2');
    });

    it('keeps no event of a unit that returns a Left or throws', async () => {
      const refused = anEvent();
      const thrown = anEvent();
      fx.setRequestId('req-refused');
      await fx.uow.run(async (scope) => {
        await scope.events.record(refused);
        return E.left(businessRule('no'));
      });
      await fx.uow
        .run(async (scope) => {
          await scope.events.record(thrown);
          throw new Error('boom');
        })
        .catch(() => undefined);
      expect(await fx.outboxEvent(refused.id)).to.equal(null);
      expect(await fx.outboxEvent(thrown.id)).to.equal(null);
    });

    it('keeps every event of a committed unit, not only the first', async () => {
      const events = [anEvent({ type: 'a.one' }), anEvent({ type: 'a.two' }), anEvent({ type: 'a.three' })];
      await commit(...events);
      for (const event of events) expect((await fx.outboxEvent(event.id))?.type).to.equal(event.type);
    });
  });
};

/** Both contracts on one fixture (one database: opening PGlite is the slow part). */
export const unitOfWorkContracts = (name: string, setup: (ctx: Mocha.Context) => Promise<UnitOfWorkFixture>): void => {
  describe(`UnitOfWork and EventOutbox: ${name}`, function () {
    this.timeout(60_000);
    let f: UnitOfWorkFixture | undefined;
    before(async function () {
      f = await setup(this);
    });
    after(async () => f?.close?.());
    unitOfWorkContract(() => f!);
    eventOutboxContract(() => f!);
  });
};
