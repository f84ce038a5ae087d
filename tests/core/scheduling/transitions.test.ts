import { expect } from 'chai';
import type * as E from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../../core/shared/entities/errors.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import type { Schedule, ScheduleStatus } from '../../../core/scheduling/entities/schedule.js';
import { anActor, left, right, schedulingHarness } from './scheduling-harness.js';

type Who = 'giver' | 'taker' | 'other taker' | 'other giver' | 'admin';
type Action = 'book' | 'accept' | 'reject' | 'cancel' | 'move' | 'delete';
const WHO: readonly Who[] = ['giver', 'taker', 'other taker', 'other giver', 'admin'];

/**
 * Every action by every kind of caller (each cell: `ok` or the DomainError tag it must give) on a schedule in every status, written out by hand from
 * docs/scheduling.md rather than computed, so that the state machine is checked, not restated.
 * Columns follow WHO; `-` where the status has no taker. Setups: available = the giver's slot;
 * pending = the taker's request; booked = the giver's slot the taker booked; rejected = the taker's
 * request the giver rejected; cancelled = the giver's slot, booked, then cancelled by the taker.
 */
const EXPECTED: Readonly<Record<Action, Readonly<Record<ScheduleStatus, string>>>> = {
  book: {
    available: 'Forbidden - ok Forbidden Forbidden',
    pending: 'Forbidden Conflict Conflict NotFound Forbidden',
    booked: 'Forbidden Conflict Conflict NotFound Forbidden',
    rejected: 'Forbidden Conflict Conflict NotFound Forbidden',
    cancelled: 'Forbidden Conflict Conflict NotFound Forbidden',
  },
  accept: {
    available: 'Conflict - Forbidden Forbidden Forbidden',
    pending: 'ok Forbidden NotFound NotFound Forbidden',
    booked: 'Conflict Forbidden NotFound NotFound Forbidden',
    rejected: 'Conflict Forbidden NotFound NotFound Forbidden',
    cancelled: 'Conflict Forbidden NotFound NotFound Forbidden',
  },
  reject: {
    available: 'Conflict - Forbidden Forbidden Forbidden',
    pending: 'ok Forbidden NotFound NotFound Forbidden',
    booked: 'Conflict Forbidden NotFound NotFound Forbidden',
    rejected: 'Conflict Forbidden NotFound NotFound Forbidden',
    cancelled: 'Conflict Forbidden NotFound NotFound Forbidden',
  },
  cancel: {
    available: 'ok - Forbidden Forbidden ok',
    pending: 'ok ok NotFound NotFound ok',
    booked: 'ok ok NotFound NotFound ok',
    rejected: 'Conflict Conflict NotFound NotFound Conflict',
    cancelled: 'Conflict Conflict NotFound NotFound Conflict',
  },
  move: {
    available: 'ok - Forbidden Forbidden Forbidden',
    pending: 'Forbidden ok NotFound NotFound Forbidden',
    booked: 'Conflict Forbidden NotFound NotFound Forbidden',
    rejected: 'Forbidden Conflict NotFound NotFound Forbidden',
    cancelled: 'Conflict Forbidden NotFound NotFound Forbidden',
  },
  delete: {
    available: 'ok - Forbidden Forbidden ok',
    pending: 'Forbidden ok NotFound NotFound ok',
    booked: 'Conflict Forbidden NotFound NotFound Conflict',
    rejected: 'Forbidden ok NotFound NotFound ok',
    cancelled: 'ok Forbidden NotFound NotFound ok',
  },
};

const RESULT: Readonly<Record<Action, ScheduleStatus | 'same' | 'gone'>> = {
  book: 'booked',
  accept: 'booked',
  reject: 'rejected',
  cancel: 'cancelled',
  move: 'same',
  delete: 'gone',
};

describe('scheduling: every transition by every role', () => {
  for (const action of Object.keys(EXPECTED) as Action[]) {
    describe(action, () => {
      for (const [status, row] of Object.entries(EXPECTED[action]) as [ScheduleStatus, string][]) {
        row.split(' ').forEach((expected, column) => {
          if (expected === '-') return;
          const who = WHO[column]!;
          it(`${who} on a ${status} schedule: ${expected}`, async () => {
            const h = schedulingHarness();
            const giver = await h.aGiver();
            const taker = h.aTaker();
            let s: Schedule;
            if (status === 'available') s = await h.aSlot(giver);
            else if (status === 'pending') s = await h.aRequest(taker, giver);
            else if (status === 'booked') s = right(await h.book.execute(taker, (await h.aSlot(giver)).id));
            else if (status === 'rejected') s = right(await h.reject.execute(giver, (await h.aRequest(taker, giver)).id));
            else s = right(await h.cancel.execute(taker, right(await h.book.execute(taker, (await h.aSlot(giver)).id)).id));
            const actors: Record<Who, Actor> = {
              giver,
              taker,
              'other taker': anActor({ role: 'taker' }),
              'other giver': anActor({ role: 'giver' }),
              admin: anActor({ role: 'giver', isAdmin: true }),
            };
            const actor = actors[who];
            const before = h.eventTypes().length;
            const result: E.Either<DomainError, unknown> =
              action === 'move'
                ? await h.move.execute(actor, s.id, { startsAt: h.hour(30), endsAt: h.hour(31) })
                : action === 'delete'
                  ? await h.remove.execute(actor, s.id)
                  : await h[action].execute(actor, s.id);
            const stored = await h.schedules.findById(s.id);
            if (expected !== 'ok') {
              expect(left(result)._tag).to.equal(expected);
              expect(stored, 'a refused change changes nothing').to.deep.equal(s);
              expect(h.eventTypes()).to.have.length(before);
              return;
            }
            right(result);
            const to = RESULT[action];
            if (to === 'gone') expect(stored).to.equal(null);
            else {
              expect(stored).to.include({ status: to === 'same' ? s.status : to, version: s.version + 1, updatedBy: actor.userId });
              expect(stored!.updatedByRole).to.equal(who === 'admin' ? 'admin' : who.replace('other ', ''));
              if (action === 'book') expect(stored!.takerId).to.equal(actor.userId);
              if (action === 'move') expect(stored!.startsAt).to.deep.equal(h.hour(30));
            }
            const event = action === 'book' ? 'booked' : action === 'move' ? 'moved' : action === 'delete' ? 'deleted' : `${action}ed`.replace('eled', 'elled');
            expect(h.eventTypes().slice(before)).to.deep.equal([`schedule.${event}`]);
          });
        });
      }
    });
  }

  describe('the system', () => {
    it('once a slot has started, cancels it if still available and rejects it if still pending; leaves bookings alone', async () => {
      const h = schedulingHarness();
      const giver = await h.aGiver();
      const open = await h.aSlot(giver, 1, 2);
      const asked = await h.aRequest(h.aTaker(), giver, 3, 4);
      const booked = right(await h.book.execute(h.aTaker(), (await h.aSlot(giver, 5, 6)).id));
      const later = await h.aSlot(giver, 48, 49);
      h.clock.advanceSeconds(5.5 * 3600);
      expect(await h.expire.execute()).to.equal(2);
      expect(await h.schedules.findById(open.id)).to.include({ status: 'cancelled', updatedBy: null, updatedByRole: 'system' });
      expect(await h.schedules.findById(asked.id)).to.include({ status: 'rejected', updatedByRole: 'system' });
      expect(await h.schedules.findById(booked.id)).to.include({ status: 'booked' });
      expect(await h.schedules.findById(later.id)).to.include({ status: 'available' });
      expect(h.eventTypes().slice(-2)).to.deep.equal(['schedule.cancelled', 'schedule.rejected']);
      expect(await h.expire.execute(), 'a second run finds nothing').to.equal(0);
    });
  });

  it('If-Match: a stale version is 412 and changes nothing', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const s = await h.aSlot(giver);
    right(await h.move.execute(giver, s.id, { note: 'Room 4' }, [1]));
    expect(left(await h.book.execute(h.aTaker(), s.id, [1]))._tag).to.equal('PreconditionFailed');
    expect(left(await h.remove.execute(giver, s.id, [1]))._tag).to.equal('PreconditionFailed');
    expect(await h.schedules.findById(s.id)).to.include({ status: 'available', version: 2, note: 'Room 4' });
  });
});
