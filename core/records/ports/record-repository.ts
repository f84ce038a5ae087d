import type { Either } from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../shared/entities/pagination.js';
import type { DataRecord, RecordStatus } from '../entities/record.js';

export interface RecordFilter {
  /** Absent: every owner (only admins get here without one). */
  readonly ownerId?: string | undefined;
  readonly status?: RecordStatus | undefined;
  /** Case-insensitive "name contains"; `%`, `_` and `\` match themselves. */
  readonly q?: string | undefined;
}

export type RecordSortField = 'created_at' | 'updated_at' | 'name';
export const RECORD_SORT_FIELDS: readonly RecordSortField[] = ['created_at', 'updated_at', 'name'];

/** Soft-deleted records are invisible to every read and cannot be updated. */
export interface RecordRepository {
  insert(record: DataRecord): Promise<DataRecord>;
  findById(id: string): Promise<DataRecord | null>;
  /**
   * Stores `record` (with version `expectedVersion + 1`) only if the stored version is still
   * `expectedVersion`: Left(PreconditionFailed) when it moved on, Left(NotFound) when the record
   * is absent or deleted. Soft delete is an update that sets `deletedAt`.
   */
  update(record: DataRecord, expectedVersion: number): Promise<Either<DomainError, DataRecord>>;
  /**
   * Ordered by the sort key (`name` case-insensitively), then id in the same direction. With
   * `page.cursor` the page starts after the cursor's row (keyset, `page` ignored); without it,
   * `page` picks the page. `nextCursor` is always set: the position after this page's last row,
   * or null when nothing follows, so a client can switch to cursor paging from any page. A cursor
   * not made for this sort is Left(Validation) on field `cursor`. `total` counts every match.
   */
  list(filter: RecordFilter, sort: Sort<RecordSortField>, page: PageQuery): Promise<Either<DomainError, Page<DataRecord>>>;
}
