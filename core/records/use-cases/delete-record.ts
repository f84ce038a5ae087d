import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, preconditionFailed, type DomainError } from '../../shared/entities/errors.js';
import { versionAccepted } from '../../shared/entities/version-condition.js';
import { newEvent } from '../../shared/entities/events.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import { canSee } from '../entities/record-access.js';

/** Soft delete: the row stays for audit, every read stops returning it. */
export class DeleteRecord {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, id: string, acceptedVersions?: readonly number[]): Promise<E.Either<DomainError, void>> {
    return this.uow.run(async (scope) => {
      const current = await findByEntityId(id, (key) => scope.records.findById(key));
      if (!canSee(actor, current)) return E.left(notFound('Record not found'));
      if (!versionAccepted(acceptedVersions, current.version)) return E.left(preconditionFailed());
      const now = this.clock.now();
      const saved = await scope.records.update({ ...current, deletedAt: now, updatedAt: now, updatedBy: actor.userId }, current.version);
      if (E.isLeft(saved)) return saved;
      await scope.events.record(
        newEvent(this.ids, this.clock, {
          type: 'record.deleted',
          actorId: actor.userId,
          subjectId: current.id,
          data: { owner_id: current.ownerId },
        }),
      );
      return E.right(undefined);
    });
  }
}
