import * as E from 'fp-ts/lib/Either.js';
import { notFound, preconditionFailed, type DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import type { DataRecord } from '../../core/records/entities/record.js';
import { RECORD_KEYSET } from '../../core/records/entities/record-cursor.js';
import type { RecordFilter, RecordRepository, RecordSortField } from '../../core/records/ports/record-repository.js';
import { keysetPage } from './keyset-page.js';
import { snapshotMap, type Snapshottable } from './snapshot.js';

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
    const q = filter.q?.toLowerCase();
    const matching = [...this.rows.values()].filter(
      (r) =>
        r.deletedAt === null &&
        (filter.ownerId === undefined || r.ownerId === filter.ownerId) &&
        (filter.status === undefined || r.status === filter.status) &&
        (q === undefined || r.name.toLowerCase().includes(q)),
    );
    return keysetPage(matching, RECORD_KEYSET, sort, page);
  }

  snapshot(): () => void {
    return snapshotMap(this.rows);
  }
}
