import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, preconditionFailed, validation, type DomainError } from '../../shared/entities/errors.js';
import { versionAccepted } from '../../shared/entities/version-condition.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { Schedule } from '../entities/schedule.js';
import { canSee } from '../entities/schedule-access.js';
import { scheduleEvent } from '../entities/schedule-events.js';
import { noteIssues, timeIssues } from '../entities/schedule-rules.js';
import { byUser, decide, stamped } from '../entities/schedule-transitions.js';

/** Absent fields stay as they are; `note: null` clears the note. */
export interface ScheduleChanges {
  readonly startsAt?: Date | undefined;
  readonly endsAt?: Date | undefined;
  readonly note?: string | null | undefined;
}

/** The creator moves a slot or request while it is available or pending; overlap is re-checked. */
export class MoveSchedule {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, id: string, changes: ScheduleChanges, acceptedVersions?: readonly number[]): Promise<E.Either<DomainError, Schedule>> {
    const noteProblems = noteIssues(changes.note);
    if (noteProblems.length > 0) return E.left(validation(noteProblems));
    return this.uow.run(async (scope) => {
      const current = await findByEntityId(id, (key) => scope.schedules.findById(key));
      if (!canSee(actor, current)) return E.left(notFound('Schedule not found'));
      if (!versionAccepted(acceptedVersions, current.version)) return E.left(preconditionFailed());
      const allowed = decide('move', byUser(actor), current);
      if (E.isLeft(allowed)) return allowed;
      const times = { startsAt: changes.startsAt ?? current.startsAt, endsAt: changes.endsAt ?? current.endsAt };
      const moved = times.startsAt.getTime() !== current.startsAt.getTime() || times.endsAt.getTime() !== current.endsAt.getTime();
      const now = this.clock.now();
      const problems = moved ? timeIssues(times, now) : [];
      if (problems.length > 0) return E.left(validation(problems));
      const note = changes.note === undefined ? current.note : changes.note;
      // Saving nothing must not bump the version, or a no-op would invalidate other clients' ETags.
      if (!moved && note === current.note) return E.right(current);
      const saved = await scope.schedules.update(stamped(current, byUser(actor), now, { ...times, note }), { version: current.version, status: current.status });
      if (E.isLeft(saved)) return saved;
      const previous = { previous_starts_at: current.startsAt.toISOString(), previous_ends_at: current.endsAt.toISOString() };
      await scope.events.record(scheduleEvent(this.ids, this.clock, moved ? 'schedule.moved' : 'schedule.updated', saved.right, moved ? previous : {}));
      return saved;
    });
  }
}
