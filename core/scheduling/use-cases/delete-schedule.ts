import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, preconditionFailed, type DomainError } from '../../shared/entities/errors.js';
import { versionAccepted } from '../../shared/entities/version-condition.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import { canSee } from '../entities/schedule-access.js';
import { scheduleEvent } from '../entities/schedule-events.js';
import { byUser, decide, stamped } from '../entities/schedule-transitions.js';

/** The creator (or an admin) deletes a schedule that is not booked; a booking is cancelled instead. */
export class DeleteSchedule {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, id: string, acceptedVersions?: readonly number[]): Promise<E.Either<DomainError, void>> {
    return this.uow.run(async (scope) => {
      const current = await findByEntityId(id, (key) => scope.schedules.findById(key));
      if (!canSee(actor, current)) return E.left(notFound('Schedule not found'));
      if (!versionAccepted(acceptedVersions, current.version)) return E.left(preconditionFailed());
      const allowed = decide('delete', byUser(actor), current);
      if (E.isLeft(allowed)) return allowed;
      const removed = await scope.schedules.remove(current.id, current.version);
      if (E.isLeft(removed)) return removed;
      // The event describes the schedule as it was, stamped with who deleted it.
      const gone = stamped(current, byUser(actor), this.clock.now(), {});
      await scope.events.record(scheduleEvent(this.ids, this.clock, 'schedule.deleted', gone, { previousStatus: current.status }));
      return E.right(undefined);
    });
  }
}
