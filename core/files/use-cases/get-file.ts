import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { FileRepository } from '../ports/file-repository.js';
import { visibleTo, type StoredFile } from '../entities/stored-file.js';

export interface GetFileQuery {
  readonly actor: Actor;
  readonly id: string;
}

/**
 * The file `id` names, when `actor` may see it (owners and admins see a live file); to anyone
 * else, and for an id that names nothing, the same 404. Every file use case starts here.
 */
export const findVisibleFile = async (files: FileRepository, id: string, actor: Actor): Promise<E.Either<DomainError, StoredFile>> => {
  const file = await findByEntityId(id, (entityId) => files.findById(entityId));
  return visibleTo(file, actor) ? E.right(file) : E.left(notFound('File not found'));
};

export class GetFile {
  constructor(private readonly files: FileRepository) {}

  execute(query: GetFileQuery): Promise<E.Either<DomainError, StoredFile>> {
    return findVisibleFile(this.files, query.id, query.actor);
  }
}
