import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { FileRepository } from '../ports/file-repository.js';
import { findVisibleFile } from './get-file.js';
import type { ObjectStorage } from '../ports/object-storage.js';

export interface DeleteFileCommand {
  readonly actor: Actor;
  readonly id: string;
}

/**
 * The object goes first: if the store is down nothing changes and a retry works; if the database
 * fails after, the metadata stays and a retry finishes the job (deleting an absent object is fine).
 */
export class DeleteFile {
  constructor(
    private readonly files: FileRepository,
    private readonly storage: ObjectStorage,
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(cmd: DeleteFileCommand): Promise<E.Either<DomainError, void>> {
    const found = await findVisibleFile(this.files, cmd.id, cmd.actor);
    if (E.isLeft(found)) return found;
    const file = found.right;
    await this.storage.delete(file.objectKey);
    return this.uow.run(async (scope) => {
      if (!(await scope.files.delete(file.id, this.clock.now()))) return E.left(notFound('File not found'));
      await scope.events.record(
        newEvent(this.ids, this.clock, {
          type: 'file.deleted',
          actorId: cmd.actor.userId,
          subjectId: file.id,
          data: { owner_id: file.ownerId },
        }),
      );
      return E.right(undefined);
    });
  }
}
