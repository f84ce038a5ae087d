import * as E from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../shared/entities/errors.js';
import { isUuid } from '../../shared/entities/entity-id.js';
import type { FileRepository } from '../ports/file-repository.js';
import type { ObjectStorage } from '../ports/object-storage.js';
import { OBJECT_KEY_PREFIX } from '../entities/stored-file.js';

export interface SweepOrphanObjectsCommand {
  readonly now: Date;
}

/**
 * Uploads write the object before its metadata, so an object can outlive a failed upload: the
 * process died between the two writes, or the clean-up delete failed. Nothing refers to such an
 * object; this deletes those under `files/` with no live metadata once they are `graceHours` old,
 * far longer than any upload takes from its object to its metadata, so none still in flight is hit.
 */
export class SweepOrphanObjects {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly files: FileRepository,
    private readonly graceHours = 24,
  ) {}

  /** Right(how many objects it deleted). */
  async execute(cmd: SweepOrphanObjectsCommand): Promise<E.Either<DomainError, number>> {
    const writtenBefore = new Date(cmd.now.getTime() - this.graceHours * 3_600_000);
    let removed = 0;
    for await (const { key } of this.storage.list(OBJECT_KEY_PREFIX, writtenBefore)) {
      const fileId = key.slice(OBJECT_KEY_PREFIX.length);
      // Not a key this module makes: whoever put it there owns it.
      if (!isUuid(fileId)) continue;
      if ((await this.files.findById(fileId))?.objectKey === key) continue;
      await this.storage.delete(key);
      removed += 1;
    }
    return E.right(removed);
  }
}
