import * as E from 'fp-ts/lib/Either.js';
import { invalidField, notFound, preconditionFailed, type DomainError } from '../../core/shared/errors.js';
import { offsetOf, type Page, type PageQuery, type Sort } from '../../core/shared/pagination.js';
import type { DataRecord } from '../../core/records/record.js';
import { decodeRecordCursor, recordCursor, sortValueOf } from '../../core/records/record-cursor.js';
import type { RecordFilter, RecordRepository, RecordSortField } from '../../core/records/record-repository.js';
import { snapshotMap, type Snapshottable } from './snapshot.js';

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Records in process memory, ordered and paged exactly as the Postgres adapter does. */
export class MemoryRecordRepository implements RecordRepository, Snapshottable {
  private readonly rows = new Map<string, DataRecord>();

  async insert(record: DataRecord): Promise<DataRecord> {
    this.rows.set(record.id, record);
    return record;
  }

  async findById(id: string): Promise<DataRecord | null> {
    const row = this.rows.get(id);
    return row && row.deletedAt === null ? row : null;
  }

  async update(record: DataRecord, expectedVersion: number): Promise<E.Either<DomainError, DataRecord>> {
    const stored = this.rows.get(record.id);
    if (!stored || stored.deletedAt !== null) return E.left(notFound('Record not found'));
    if (stored.version !== expectedVersion) return E.left(preconditionFailed());
    const saved: DataRecord = { ...record, version: expectedVersion + 1 };
    this.rows.set(saved.id, saved);
    return E.right(saved);
  }

  async list(filter: RecordFilter, sort: Sort<RecordSortField>, page: PageQuery): Promise<E.Either<DomainError, Page<DataRecord>>> {
    const after = page.cursor === undefined ? null : decodeRecordCursor(page.cursor, sort);
    if (page.cursor !== undefined && after === null) return E.left(invalidField('cursor', 'is not a cursor for this sort'));
    const q = filter.q?.toLowerCase();
    const sign = sort.direction === 'asc' ? 1 : -1;
    const order = (a: { value: string; id: string }, b: { value: string; id: string }): number =>
      sign * (compare(a.value, b.value) || compare(a.id, b.id));
    const keyed = [...this.rows.values()]
      .filter(
        (r) =>
          r.deletedAt === null &&
          (filter.ownerId === undefined || r.ownerId === filter.ownerId) &&
          (filter.status === undefined || r.status === filter.status) &&
          (q === undefined || r.name.toLowerCase().includes(q)),
      )
      .map((record) => ({ record, value: sortValueOf(record, sort.field), id: record.id }))
      .sort(order);
    const start = after === null ? offsetOf(page) : keyed.filter((k) => order(k, after) <= 0).length;
    const slice = keyed.slice(start, start + page.size);
    const last = slice.at(-1);
    const more = start + page.size < keyed.length;
    return E.right({
      items: slice.map((k) => k.record),
      total: keyed.length,
      page: page.page,
      size: page.size,
      nextCursor: more && last ? recordCursor(last.record, sort, last.value) : null,
    });
  }

  snapshot(): () => void {
    return snapshotMap(this.rows);
  }
}
