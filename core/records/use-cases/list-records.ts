import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { DomainError } from '../../shared/entities/errors.js';
import { emptyPage, pageQueryError, type Page, type PageQuery, type Sort } from '../../shared/entities/pagination.js';
import type { DataRecord, RecordStatus } from '../entities/record.js';
import { RECORD_KEYSET } from '../entities/record-cursor.js';
import type { RecordRepository, RecordSortField } from '../ports/record-repository.js';

export interface ListRecordsQuery {
  /** Admins may narrow to one owner; for anyone else it can only narrow their own records. */
  readonly ownerId?: string | undefined;
  readonly status?: RecordStatus | undefined;
  readonly q?: string | undefined;
  readonly sort: Sort<RecordSortField>;
  readonly page: PageQuery;
}

export class ListRecords {
  constructor(private readonly records: RecordRepository) {}

  async execute(actor: Actor, query: ListRecordsQuery): Promise<E.Either<DomainError, Page<DataRecord>>> {
    const { page, sort } = query;
    const invalid = pageQueryError(page, sort, RECORD_KEYSET);
    if (invalid !== null) return E.left(invalid);
    // Filters combine with AND: "mine and owned by someone else" is simply empty, not an error.
    if (!actor.isAdmin && query.ownerId !== undefined && query.ownerId.toLowerCase() !== actor.userId) {
      return E.right(emptyPage(page));
    }
    const ownerId = actor.isAdmin ? query.ownerId?.toLowerCase() : actor.userId;
    return this.records.list({ ownerId, status: query.status, q: query.q }, sort, page);
  }
}
