import * as E from 'fp-ts/lib/Either.js';
import type { Transaction } from 'sequelize';
import { notFound, preconditionFailed, type DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import { isRecordStatus, type DataRecord, type JsonObject } from '../../core/records/entities/record.js';
import { RECORD_KEYSET } from '../../core/records/entities/record-cursor.js';
import type { RecordFilter, RecordRepository, RecordSortField } from '../../core/records/ports/record-repository.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';
import { containsPattern, listKeyset, type KeysetTable } from './keyset-page.js';
import type { RecordRow } from './models/record.js';

const toRecord = (row: RecordRow): DataRecord => {
  if (!isRecordStatus(row.status)) throw new Error(`records.status holds an unknown value for ${row.id}`);
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    config: row.config as JsonObject,
    status: row.status,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at),
  };
};

const toRow = (r: DataRecord): RecordRow => ({
  id: r.id,
  owner_id: r.ownerId,
  name: r.name,
  description: r.description,
  config: r.config,
  status: r.status,
  version: r.version,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  created_by: r.createdBy,
  updated_by: r.updatedBy,
  deleted_at: r.deletedAt,
});

// Sort keys as the `(key, id)` indexes of migrations/0004-records.ts spell them.
const RECORDS: KeysetTable<RecordRow, DataRecord, RecordSortField> = {
  table: 'records',
  sql: {
    created_at: { expression: 'created_at', type: 'timestamptz' },
    updated_at: { expression: 'updated_at', type: 'timestamptz' },
    name: { expression: '(lower(name) COLLATE "C")', type: 'text' },
  },
  keys: RECORD_KEYSET,
  toItem: toRecord,
};

export class PostgresRecordRepository implements RecordRepository {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly transaction?: Transaction,
  ) {}

  async insert(record: DataRecord): Promise<DataRecord> {
    const row = await guarded(() => this.db.models.Record.create(toRow(record), inTx(this.transaction)));
    return toRecord(row.get({ plain: true }));
  }

  async findById(id: string): Promise<DataRecord | null> {
    const row = await guarded(() =>
      this.db.models.Record.findOne({ where: { id, deleted_at: null }, raw: true, ...inTx(this.transaction) }),
    );
    return row ? toRecord(row) : null;
  }

  async update(record: DataRecord, expectedVersion: number): Promise<E.Either<DomainError, DataRecord>> {
    const { id: _id, created_at: _c, created_by: _cb, owner_id: _o, ...changes } = toRow(record);
    const [count, rows] = await guarded(() =>
      this.db.models.Record.update(
        { ...changes, version: expectedVersion + 1 },
        { where: { id: record.id, version: expectedVersion, deleted_at: null }, returning: true, ...inTx(this.transaction) },
      ),
    );
    const saved = rows[0];
    if (count === 1 && saved) return E.right(toRecord(saved.get({ plain: true })));
    const stillThere = await this.findById(record.id);
    return E.left(stillThere ? preconditionFailed() : notFound('Record not found'));
  }

  async list(filter: RecordFilter, sort: Sort<RecordSortField>, page: PageQuery): Promise<E.Either<DomainError, Page<DataRecord>>> {
    const where = ['deleted_at IS NULL'];
    const bind: Record<string, unknown> = {};
    if (filter.ownerId !== undefined) {
      where.push('owner_id = $owner::uuid');
      bind['owner'] = filter.ownerId;
    }
    if (filter.status !== undefined) {
      where.push('status = $status');
      bind['status'] = filter.status;
    }
    if (filter.q !== undefined && filter.q !== '') {
      where.push(`name ILIKE $q ESCAPE '\\'`);
      bind['q'] = containsPattern(filter.q);
    }
    return listKeyset(this.db, this.transaction, RECORDS, { where, bind }, sort, page);
  }
}
