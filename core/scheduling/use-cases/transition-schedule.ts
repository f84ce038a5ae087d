import * as E from 'fp-ts/lib/Either.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, preconditionFailed, type DomainError } from '../../shared/entities/errors.js';
import { versionAccepted } from '../../shared/entities/version-condition.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { Schedule } from '../entities/schedule.js';
import { canSee } from '../entities/schedule-access.js';
import type { ScheduleEventType } from '../entities/schedule-events.js';
import { scheduleEvent } from '../entities/schedule-events.js';
import { decide, stamped, type Changer, type ScheduleAction } from '../entities/schedule-transitions.js';

export interface StatusChange {
  readonly action: Exclude<ScheduleAction, 'move' | 'delete'>;
  readonly event: ScheduleEventType;
}

/**
 * The shared path of book, accept, reject and cancel: read the schedule (locked for the rest of
 * the unit of work), check the state machine, store the new status on the condition that nothing
 * changed it meanwhile, record the event. Not a use case itself; each action has its own file.
 */
export const transitionSchedule = (
  deps: { readonly uow: UnitOfWork; readonly ids: IdGenerator; readonly clock: Clock },
  change: StatusChange,
  changer: Changer,
  id: string,
  acceptedVersions?: readonly number[],
): Promise<E.Either<DomainError, Schedule>> =>
  deps.uow.run(async (scope) => {
    const current = await findByEntityId(id, (key) => scope.schedules.findById(key));
    // A taker who lost a race for a slot learns it was taken (409), not that it vanished (404).
    const bookingTaker = change.action === 'book' && changer.kind === 'user' && changer.actor.role === 'taker';
    if (current === null || (changer.kind === 'user' && !canSee(changer.actor, current) && !bookingTaker)) {
      return E.left(notFound('Schedule not found'));
    }
    if (!versionAccepted(acceptedVersions, current.version)) return E.left(preconditionFailed());
    const allowed = decide(change.action, changer, current);
    if (E.isLeft(allowed)) return allowed;
    const status = allowed.right.to;
    if (status === 'same' || status === 'gone') throw new Error(`${change.action} is not a status change`);
    const takerId = change.action === 'book' && changer.kind === 'user' ? changer.actor.userId : current.takerId;
    const next = stamped(current, changer, deps.clock.now(), { status, takerId });
    const saved = await scope.schedules.update(next, { version: current.version, status: current.status });
    if (E.isLeft(saved)) return saved;
    await scope.events.record(scheduleEvent(deps.ids, deps.clock, change.event, saved.right, { previousStatus: current.status }));
    return saved;
  });
