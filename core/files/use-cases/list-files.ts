import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { DomainError } from '../../shared/entities/errors.js';
import { pageQueryError, type Page, type PageQuery } from '../../shared/entities/pagination.js';
import { FILE_KEYSET, FILES_NEWEST_FIRST } from '../entities/file-cursor.js';
import type { FileRepository } from '../ports/file-repository.js';
import type { StoredFile } from '../entities/stored-file.js';

export interface ListFilesQuery {
  readonly actor: Actor;
  readonly page: PageQuery;
}

/** The caller's own files, newest first; admins too see only their own here. */
export class ListFiles {
  constructor(private readonly files: FileRepository) {}

  async execute(query: ListFilesQuery): Promise<E.Either<DomainError, Page<StoredFile>>> {
    const invalid = pageQueryError(query.page, FILES_NEWEST_FIRST, FILE_KEYSET);
    if (invalid !== null) return E.left(invalid);
    return this.files.listByOwner(query.actor.userId, query.page);
  }
}
