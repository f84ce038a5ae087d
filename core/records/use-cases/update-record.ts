import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, preconditionFailed, validation, type DomainError } from '../../shared/entities/errors.js';
import { versionAccepted } from '../../shared/entities/version-condition.js';
import { newEvent } from '../../shared/entities/events.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { CronValidator } from '../ports/cron-validator.js';
import type { DataRecord, JsonObject, RecordStatus } from '../entities/record.js';
import { canSee } from '../entities/record-access.js';
import { recordFieldIssues } from '../entities/record-rules.js';

/** Absent fields stay as they are (PATCH and PUT alike); `description: null` clears it. */
export interface RecordChanges {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly config?: unknown;
  readonly status?: RecordStatus | undefined;
}

export class UpdateRecord {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly cron: CronValidator,
  ) {}

  /** `acceptedVersions` (from If-Match) refuses the change when someone else changed it first. */
  async execute(actor: Actor, id: string, changes: RecordChanges, acceptedVersions?: readonly number[]): Promise<E.Either<DomainError, DataRecord>> {
    const issues = recordFieldIssues(changes, this.cron);
    if (issues.length > 0) return E.left(validation(issues));
    return this.uow.run(async (scope) => {
      const current = await findByEntityId(id, (key) => scope.records.findById(key));
      if (!canSee(actor, current)) return E.left(notFound('Record not found'));
      if (!versionAccepted(acceptedVersions, current.version)) return E.left(preconditionFailed());
      const wanted = {
        ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.config !== undefined ? { config: changes.config as JsonObject } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
      };
      const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).filter(
        (k) => JSON.stringify(wanted[k]) !== JSON.stringify(current[k]),
      );
      // Saving nothing must not bump the version, or a no-op would invalidate other clients' ETags.
      if (changed.length === 0) return E.right(current);
      const next: DataRecord = { ...current, ...wanted, updatedAt: this.clock.now(), updatedBy: actor.userId };
      const saved = await scope.records.update(next, current.version);
      if (E.isLeft(saved)) return saved;
      await scope.events.record(
        newEvent(this.ids, this.clock, {
          type: 'record.updated',
          actorId: actor.userId,
          subjectId: current.id,
          data: { owner_id: current.ownerId, changed, version: saved.right.version },
        }),
      );
      return saved;
    });
  }
}
