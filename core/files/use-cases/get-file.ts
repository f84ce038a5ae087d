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

export class GetFile {
  constructor(private readonly files: FileRepository) {}

  async execute(query: GetFileQuery): Promise<E.Either<DomainError, StoredFile>> {
    const file = await findByEntityId(query.id, (id) => this.files.findById(id));
    return visibleTo(file, query.actor) ? E.right(file) : E.left(notFound('File not found'));
  }
}
