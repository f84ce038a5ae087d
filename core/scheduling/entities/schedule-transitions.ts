import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { conflict, forbidden, type DomainError } from '../../shared/entities/errors.js';
import type { ChangerRole, Schedule, ScheduleStatus } from './schedule.js';

/** Who changes a schedule: a signed-in user, or the system (expiry of stale slots). */
export type Changer = { readonly kind: 'user'; readonly actor: Actor } | { readonly kind: 'system' };
export const SYSTEM: Changer = { kind: 'system' };
export const byUser = (actor: Actor): Changer => ({ kind: 'user', actor });

/**
 * How a changer relates to one schedule. `giver`/`taker`: named on it; `creator`: made it;
 * `admin`: an administrator; `any-taker`: an account with the taker role that is not its giver.
 */
export type Party = 'giver' | 'taker' | 'creator' | 'admin' | 'any-taker' | 'system';

export type ScheduleAction = 'book' | 'accept' | 'reject' | 'cancel' | 'move' | 'delete';

export interface Transition {
  readonly from: readonly ScheduleStatus[];
  /** `same`: the status stays (a move); `gone`: the row is deleted. */
  readonly to: ScheduleStatus | 'same' | 'gone';
  readonly by: readonly Party[];
}

/** The state machine; docs/scheduling.md shows it as a table. Creation is in create-schedules.ts. */
export const TRANSITIONS: { readonly [A in ScheduleAction]: Transition } = {
  book: { from: ['available'], to: 'booked', by: ['any-taker'] },
  accept: { from: ['pending'], to: 'booked', by: ['giver'] },
  reject: { from: ['pending'], to: 'rejected', by: ['giver', 'system'] },
  cancel: { from: ['available', 'pending', 'booked'], to: 'cancelled', by: ['giver', 'taker', 'admin', 'system'] },
  move: { from: ['available', 'pending'], to: 'same', by: ['creator'] },
  delete: { from: ['available', 'pending', 'rejected', 'cancelled'], to: 'gone', by: ['creator', 'admin'] },
};

export const partiesOf = (changer: Changer, s: Schedule): readonly Party[] => {
  if (changer.kind === 'system') return ['system'];
  const { actor } = changer;
  const parties: Party[] = [];
  if (actor.userId === s.giverId) parties.push('giver');
  if (s.takerId !== null && actor.userId === s.takerId) parties.push('taker');
  if (s.createdBy !== null && actor.userId === s.createdBy) parties.push('creator');
  if (actor.isAdmin) parties.push('admin');
  if (actor.role === 'taker' && actor.userId !== s.giverId) parties.push('any-taker');
  return parties;
};

/** The role a change is recorded under (`updated_by_role`). */
export const roleOf = (changer: Changer, s: Schedule): ChangerRole => {
  if (changer.kind === 'system') return 'system';
  const { actor } = changer;
  if (actor.userId === s.giverId) return 'giver';
  if (actor.userId === s.takerId) return 'taker';
  return actor.isAdmin ? 'admin' : actor.role;
};

export const changerId = (changer: Changer): string | null => (changer.kind === 'system' ? null : changer.actor.userId);

/**
 * Whether `changer` may apply `action` to `s` now: Forbidden when it is not theirs to make,
 * Conflict when the schedule's status does not allow it (an invalid transition).
 */
export const decide = (action: ScheduleAction, changer: Changer, s: Schedule): E.Either<DomainError, Transition> => {
  const transition = TRANSITIONS[action];
  const parties = partiesOf(changer, s);
  if (!transition.by.some((p) => parties.includes(p))) return E.left(forbidden(`You may not ${action} this schedule`));
  if (!transition.from.includes(s.status)) return E.left(conflict(`A schedule that is ${s.status} cannot be ${action === 'move' ? 'moved' : action === 'delete' ? 'deleted' : `${action}ed`}`));
  return E.right(transition);
};

/** `s` as changed by `changer` at `now`. */
export const stamped = (s: Schedule, changer: Changer, now: Date, change: Partial<Pick<Schedule, 'status' | 'takerId' | 'startsAt' | 'endsAt' | 'note'>>): Schedule => ({
  ...s,
  ...change,
  updatedAt: now,
  updatedBy: changerId(changer),
  updatedByRole: roleOf(changer, s),
});
