import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '../../core/shared/entities/actor.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import type { UserRepository } from '../../core/identity/ports/user-repository.js';
import type { Schedule } from '../../core/scheduling/entities/schedule.js';
import type { ScheduleRepository } from '../../core/scheduling/ports/schedule-repository.js';
import { BookSchedule } from '../../core/scheduling/use-cases/book-schedule.js';
import { CreateSchedules } from '../../core/scheduling/use-cases/create-schedules.js';
import { MoveSchedule } from '../../core/scheduling/use-cases/move-schedule.js';
import { anActor, left, right } from '../support/builders.js';
import { ManualClock } from '../support/manual-clock.js';
import { aUser } from './user-repository.contract.js';

export interface ScheduleRepositoryFixture {
  readonly repo: ScheduleRepository;
  /** A unit of work whose scope's `schedules` is this store (for the race tests). */
  readonly uow: UnitOfWork;
  readonly users: UserRepository;
  close?(): Promise<void>;
}

const T0 = new Date('2031-03-01T08:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

export const aSchedule = (overrides: Partial<Schedule> = {}): Schedule => {
  const giver = overrides.giverId ?? uuidv7();
  return {
    id: uuidv7(),
    giverId: giver,
    takerId: null,
    startsAt: at(0),
    endsAt: at(60),
    status: 'available',
    note: null,
    version: 1,
    createdAt: T0,
    createdBy: giver,
    createdByRole: 'giver',
    updatedAt: T0,
    updatedBy: giver,
    updatedByRole: 'giver',
    ...overrides,
  };
};

const slot = (giverId: string, from: number, to: number, extra: Partial<Schedule> = {}) => aSchedule({ giverId, startsAt: at(from), endsAt: at(to), ...extra });

/**
 * The behaviour every ScheduleRepository adapter must share, including the one that matters most:
 * no interleaving of concurrent units of work can double-book. Each test uses its own people.
 */
export const scheduleRepositoryContract = (name: string, open: (ctx: Mocha.Context) => Promise<ScheduleRepositoryFixture>) => {
  describe(`ScheduleRepository contract: ${name}`, function () {
    this.timeout(60_000);
    let f: ScheduleRepositoryFixture;
    before(async function () {
      f = await open(this);
    });
    after(async () => {
      await f?.close?.();
    });

    it('stores and reads back a schedule, times to the millisecond', async () => {
      const s = aSchedule({ startsAt: new Date('2031-03-01T08:00:00.123Z'), note: 'Bring the logs' });
      right(await f.repo.insert(s));
      expect(await f.repo.findById(s.id)).to.deep.equal(s);
      expect(await f.repo.findById(uuidv7())).to.equal(null);
    });

    describe("a giver's live slots never overlap", () => {
      const cases: readonly [string, number, number, boolean][] = [
        ['touching end to start', 60, 120, true],
        ['touching start to end', -60, 0, true],
        ['equal', 0, 60, false],
        ['contained', 15, 45, false],
        ['containing', -30, 90, false],
        ['spanning the start', -30, 30, false],
        ['spanning the end', 30, 90, false],
      ];
      for (const [label, from, to, allowed] of cases) {
        it(`${label}: ${allowed ? 'allowed' : 'refused with Conflict'}`, async () => {
          const giver = uuidv7();
          right(await f.repo.insert(slot(giver, 0, 60)));
          const second = await f.repo.insert(slot(giver, from, to));
          if (allowed) right(second);
          else expect(left(second)._tag).to.equal('Conflict');
        });
      }

      it('counts pending and booked slots, not rejected or cancelled ones', async () => {
        const giver = uuidv7();
        right(await f.repo.insert(slot(giver, 0, 60, { status: 'pending', takerId: uuidv7() })));
        expect(left(await f.repo.insert(slot(giver, 30, 90)))._tag).to.equal('Conflict');
        right(await f.repo.insert(slot(giver, 100, 160, { status: 'cancelled' })));
        right(await f.repo.insert(slot(giver, 100, 160, { status: 'rejected', takerId: uuidv7() })));
        right(await f.repo.insert(slot(giver, 100, 160)));
      });

      it('lets two givers hold the same time', async () => {
        right(await f.repo.insert(slot(uuidv7(), 0, 60)));
        right(await f.repo.insert(slot(uuidv7(), 0, 60)));
      });
    });

    it("keeps a taker's pending and booked schedules apart across givers", async () => {
      const taker = uuidv7();
      right(await f.repo.insert(slot(uuidv7(), 0, 60, { status: 'booked', takerId: taker })));
      expect(left(await f.repo.insert(slot(uuidv7(), 30, 90, { status: 'pending', takerId: taker })))._tag).to.equal('Conflict');
      right(await f.repo.insert(slot(uuidv7(), 60, 90, { status: 'pending', takerId: taker })));
      right(await f.repo.insert(slot(uuidv7(), 30, 90, { status: 'rejected', takerId: taker })));
    });

    describe('update is conditional', () => {
      it('stores the change with the next version', async () => {
        const s = right(await f.repo.insert(aSchedule()));
        const taker = uuidv7();
        const saved = right(await f.repo.update({ ...s, status: 'booked', takerId: taker }, { version: 1, status: 'available' }));
        expect(saved).to.include({ version: 2, status: 'booked', takerId: taker });
        expect(await f.repo.findById(s.id)).to.deep.equal(saved);
      });

      it('is a Conflict when the status moved on, PreconditionFailed when only the version did, NotFound when gone', async () => {
        const s = right(await f.repo.insert(aSchedule()));
        right(await f.repo.update({ ...s, note: 'changed' }, { version: 1, status: 'available' }));
        expect(left(await f.repo.update({ ...s, note: 'again' }, { version: 1, status: 'available' }))._tag).to.equal('PreconditionFailed');
        right(await f.repo.update({ ...s, status: 'booked', takerId: uuidv7() }, { version: 2, status: 'available' }));
        expect(left(await f.repo.update({ ...s, status: 'booked', takerId: uuidv7() }, { version: 2, status: 'available' }))._tag).to.equal('Conflict');
        expect(left(await f.repo.update(aSchedule(), { version: 1, status: 'available' }))._tag).to.equal('NotFound');
      });

      it('refuses a move into an overlap and leaves the row as it was', async () => {
        const giver = uuidv7();
        right(await f.repo.insert(slot(giver, 0, 60)));
        const s = right(await f.repo.insert(slot(giver, 60, 120)));
        expect(left(await f.repo.update({ ...s, startsAt: at(59) }, { version: 1, status: 'available' }))._tag).to.equal('Conflict');
        expect(await f.repo.findById(s.id)).to.deep.equal(s);
      });
    });

    it('removes a schedule unless it is booked or has changed', async () => {
      const booked = right(await f.repo.insert(aSchedule({ status: 'booked', takerId: uuidv7() })));
      expect(left(await f.repo.remove(booked.id, 1))._tag).to.equal('Conflict');
      const open = right(await f.repo.insert(aSchedule()));
      expect(left(await f.repo.remove(open.id, 2))._tag).to.equal('PreconditionFailed');
      right(await f.repo.remove(open.id, 1));
      expect(await f.repo.findById(open.id)).to.equal(null);
      expect(left(await f.repo.remove(open.id, 1))._tag).to.equal('NotFound');
    });

    describe('list', () => {
      const giver = uuidv7();
      const taker = uuidv7();
      const stranger = uuidv7();
      const base = new Date('2032-06-01T00:00:00.000Z').getTime();
      const day = (d: number, h = 0) => new Date(base + (d * 24 + h) * 3_600_000);
      let all: Schedule[];
      before(async () => {
        all = [
          aSchedule({ giverId: giver, startsAt: day(0, 9), endsAt: day(0, 10) }),
          aSchedule({ giverId: giver, startsAt: day(0, 10), endsAt: day(0, 11), status: 'booked', takerId: taker }),
          aSchedule({ giverId: giver, startsAt: day(1, 9), endsAt: day(1, 10), status: 'pending', takerId: taker }),
          aSchedule({ giverId: giver, startsAt: day(2, 9), endsAt: day(2, 10), status: 'cancelled' }),
          aSchedule({ giverId: stranger, startsAt: day(0, 9), endsAt: day(0, 10), status: 'booked', takerId: uuidv7() }),
        ];
        for (const s of all) right(await f.repo.insert(s));
      });
      const ids = (items: readonly Schedule[]) => items.map((s) => s.id);
      const asc = { field: 'starts_at', direction: 'asc' } as const;

      it('filters by giver, taker, status and time window, ordered by starts_at', async () => {
        const byGiver = right(await f.repo.list({ giverId: giver }, asc, { page: 1, size: 10 }));
        expect(ids(byGiver.items)).to.deep.equal(ids(all.slice(0, 4)));
        expect(byGiver.total).to.equal(4);
        expect(ids(right(await f.repo.list({ takerId: taker, statuses: ['pending'] }, asc, { page: 1, size: 10 })).items)).to.deep.equal([all[2]!.id]);
        const window = right(await f.repo.list({ giverId: giver, from: day(0, 10), to: day(1, 9, ) }, asc, { page: 1, size: 10 }));
        expect(ids(window.items), 'ends_at > from and starts_at < to').to.deep.equal([all[1]!.id]);
        const desc = right(await f.repo.list({ giverId: giver }, { field: 'starts_at', direction: 'desc' }, { page: 1, size: 10 }));
        expect(ids(desc.items)).to.deep.equal(ids(all.slice(0, 4)).reverse());
      });

      it('shows a non-admin available slots and their own schedules only', async () => {
        const seenByTaker = right(await f.repo.list({ visibleTo: taker, giverId: giver }, asc, { page: 1, size: 10 }));
        expect(ids(seenByTaker.items)).to.deep.equal(ids(all.slice(0, 3)));
        const seenByOther = right(await f.repo.list({ visibleTo: uuidv7(), giverId: giver }, asc, { page: 1, size: 10 }));
        expect(ids(seenByOther.items)).to.deep.equal([all[0]!.id]);
        const mine = right(await f.repo.list({ participantId: taker, statuses: ['booked', 'pending'] }, asc, { page: 1, size: 10 }));
        expect(ids(mine.items)).to.deep.equal([all[1]!.id, all[2]!.id]);
      });

      it('pages with cursors through every row once', async () => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 5; i += 1) {
          const p = right(await f.repo.list({ giverId: giver }, asc, { page: 1, size: 3, cursor }));
          seen.push(...ids(p.items));
          if (!p.nextCursor) break;
          cursor = p.nextCursor;
        }
        expect(seen).to.deep.equal(ids(all.slice(0, 4)));
        expect(left(await f.repo.list({}, asc, { page: 1, size: 3, cursor: 'bogus' }))._tag).to.equal('Validation');
      });
    });

    describe('races (units of work running at once)', () => {
      const clock = new ManualClock('2031-02-01T00:00:00.000Z');
      const ids = { next: () => uuidv7() };
      const settle = async <T>(runs: readonly Promise<E.Either<{ _tag: string }, T>>[]) => {
        const results = await Promise.all(runs);
        return { wins: results.filter(E.isRight).length, tags: results.filter(E.isLeft).map((r) => r.left._tag) };
      };

      it('20 takers booking one slot: exactly one wins, the others get Conflict', async () => {
        const s = right(await f.repo.insert(aSchedule()));
        const book = new BookSchedule(f.uow, ids, clock);
        const takers = Array.from({ length: 20 }, () => anActor({ role: 'taker' }));
        const { wins, tags } = await settle(takers.map((t) => book.execute(t, s.id)));
        expect(wins).to.equal(1);
        expect(tags).to.deep.equal(Array(19).fill('Conflict'));
        const stored = await f.repo.findById(s.id);
        expect(stored).to.include({ status: 'booked', version: 2 });
        expect(takers.map((t) => t.userId)).to.include(stored!.takerId);
      });

      it('one taker booking two overlapping slots of two givers at once: one wins', async () => {
        const a = right(await f.repo.insert(slot(uuidv7(), 0, 60)));
        const b = right(await f.repo.insert(slot(uuidv7(), 30, 90)));
        const taker = anActor({ role: 'taker' });
        const book = new BookSchedule(f.uow, ids, clock);
        const { wins, tags } = await settle([book.execute(taker, a.id), book.execute(taker, b.id)]);
        expect([wins, tags]).to.deep.equal([1, ['Conflict']]);
      });

      it('two takers requesting overlapping times of one giver at once: one wins', async () => {
        const giver = aUser({ role: 'giver' });
        right(await f.users.insert(giver));
        const create = new CreateSchedules(f.uow, ids, clock);
        const request = (actor: Actor, from: number) =>
          create.execute(actor, [{ giverId: giver.id, startsAt: at(from), endsAt: at(from + 60) }]);
        const { wins, tags } = await settle([request(anActor({ role: 'taker' }), 0), request(anActor({ role: 'taker' }), 30)]);
        expect([wins, tags]).to.deep.equal([1, ['Conflict']]);
        expect(right(await f.repo.list({ giverId: giver.id }, { field: 'starts_at', direction: 'asc' }, { page: 1, size: 10 })).total).to.equal(1);
      });

      it('a batch with one overlapping item creates nothing', async () => {
        const giverActor = anActor({ role: 'giver' });
        right(await f.repo.insert(slot(giverActor.userId, 120, 180)));
        const create = new CreateSchedules(f.uow, ids, clock);
        const error = left(
          await create.execute(giverActor, [
            { giverId: giverActor.userId, startsAt: at(0), endsAt: at(60) },
            { giverId: giverActor.userId, startsAt: at(60), endsAt: at(120) },
            { giverId: giverActor.userId, startsAt: at(150), endsAt: at(200) },
          ]),
        );
        expect(error).to.deep.include({ _tag: 'Conflict' });
        expect(error.message).to.match(/^schedules\.2: /);
        expect(right(await f.repo.list({ giverId: giverActor.userId }, { field: 'starts_at', direction: 'asc' }, { page: 1, size: 10 })).total).to.equal(1);
      });

      it('a move racing a booking into the same time: one wins', async () => {
        const giverActor = anActor({ role: 'giver' });
        const taker = anActor({ role: 'taker' });
        const a = right(await f.repo.insert(slot(giverActor.userId, 0, 60, { status: 'booked', takerId: taker.userId })));
        const b = right(await f.repo.insert(slot(giverActor.userId, 120, 180, { createdBy: giverActor.userId })));
        const c = right(await f.repo.insert(slot(uuidv7(), 0, 60)));
        void a;
        const move = new MoveSchedule(f.uow, ids, clock);
        const book = new BookSchedule(f.uow, ids, clock);
        const other = anActor({ role: 'taker' });
        // b moving onto a is refused outright; the race that matters is the taker's own time.
        expect(left(await move.execute(giverActor, b.id, { startsAt: at(30), endsAt: at(90) }))._tag).to.equal('Conflict');
        const { wins } = await settle([book.execute(taker, c.id), book.execute(other, c.id)]);
        expect(wins).to.equal(1);
        expect((await f.repo.findById(c.id))!.takerId).to.equal(other.userId);
      });
    });
  });
};
