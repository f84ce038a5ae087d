import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../shared/actor.js';
import type { DomainError } from '../shared/errors.js';
import { pageQueryError, type Page, type PageQuery } from '../shared/pagination.js';
import { FILE_KEYSET, FILES_NEWEST_FIRST } from './file-cursor.js';
import type { FileRepository } from './file-repository.js';
import type { StoredFile } from './stored-file.js';

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
