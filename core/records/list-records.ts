import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../shared/actor.js';
import { invalidField, type DomainError } from '../shared/errors.js';
import type { Page, PageQuery, Sort } from '../shared/pagination.js';
import type { DataRecord, RecordStatus } from './record.js';
import { decodeRecordCursor } from './record-cursor.js';
import type { RecordRepository, RecordSortField } from './record-repository.js';

export const MAX_PAGE_SIZE = 100;

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
    if (!Number.isInteger(page.size) || page.size < 1 || page.size > MAX_PAGE_SIZE) {
      return E.left(invalidField('size', `must be between 1 and ${MAX_PAGE_SIZE}`));
    }
    if (!Number.isInteger(page.page) || page.page < 1) return E.left(invalidField('page', 'must be 1 or more'));
    if (page.cursor !== undefined && decodeRecordCursor(page.cursor, sort) === null) {
      return E.left(invalidField('cursor', 'is not a cursor from this list with this sort'));
    }
    // Filters combine with AND: "mine and owned by someone else" is simply empty, not an error.
    if (!actor.isAdmin && query.ownerId !== undefined && query.ownerId.toLowerCase() !== actor.userId) {
      return E.right({ items: [], total: 0, page: page.page, size: page.size, nextCursor: null });
    }
    const ownerId = actor.isAdmin ? query.ownerId?.toLowerCase() : actor.userId;
    return this.records.list({ ownerId, status: query.status, q: query.q }, sort, page);
  }
}
