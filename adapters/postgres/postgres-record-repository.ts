import * as E from 'fp-ts/lib/Either.js';
import { QueryTypes, type Transaction } from 'sequelize';
import { invalidField, notFound, preconditionFailed, type DomainError } from '../../core/shared/errors.js';
import { offsetOf, type Page, type PageQuery, type Sort } from '../../core/shared/pagination.js';
import { isRecordStatus, type DataRecord, type JsonObject } from '../../core/records/record.js';
import { decodeRecordCursor, recordCursor } from '../../core/records/record-cursor.js';
import type { RecordFilter, RecordRepository, RecordSortField } from '../../core/records/record-repository.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';
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

// Fixed SQL per sort key: nothing the client sends is ever spliced into the statement.
const SORT_SQL: { readonly [F in RecordSortField]: { readonly key: string; readonly param: string } } = {
  created_at: { key: 'created_at', param: '$after::timestamptz' },
  updated_at: { key: 'updated_at', param: '$after::timestamptz' },
  name: { key: '(lower(name) COLLATE "C")', param: '$after::text' },
};

/** `%`, `_` and the escape character itself match literally inside the contains pattern. */
const containsPattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type ListedRow = RecordRow & { sort_value: string | Date };

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
    const after = page.cursor === undefined ? null : decodeRecordCursor(page.cursor, sort);
    if (page.cursor !== undefined && after === null) return E.left(invalidField('cursor', 'is not a cursor for this sort'));
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
    const { key, param } = SORT_SQL[sort.field];
    const dir = sort.direction === 'asc' ? 'ASC' : 'DESC';
    const total = await this.count(where, bind);
    const pageWhere = [...where];
    const pageBind = { ...bind, limit: page.size + 1 };
    if (after !== null) {
      pageWhere.push(`(${key}, id) ${sort.direction === 'asc' ? '>' : '<'} (${param}, $afterId::uuid)`);
      Object.assign(pageBind, { after: after.value, afterId: after.id });
    } else {
      Object.assign(pageBind, { offset: offsetOf(page) });
    }
    const sql =
      `SELECT *, ${key} AS sort_value FROM records WHERE ${pageWhere.join(' AND ')} ` +
      `ORDER BY ${key} ${dir}, id ${dir} LIMIT $limit${after === null ? ' OFFSET $offset' : ''}`;
    const rows = await guarded(() =>
      this.db.sequelize.query<ListedRow>(sql, { bind: pageBind, type: QueryTypes.SELECT, ...inTx(this.transaction) }),
    );
    const served = rows.slice(0, page.size);
    const last = served.at(-1);
    const value = (r: ListedRow) => (r.sort_value instanceof Date ? r.sort_value.toISOString() : String(r.sort_value));
    return E.right({
      items: served.map(toRecord),
      total,
      page: page.page,
      size: page.size,
      nextCursor: rows.length > page.size && last ? recordCursor(toRecord(last), sort, value(last)) : null,
    });
  }

  private async count(where: readonly string[], bind: Record<string, unknown>): Promise<number> {
    const [row] = await guarded(() =>
      this.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM records WHERE ${where.join(' AND ')}`, {
        bind,
        type: QueryTypes.SELECT,
        ...inTx(this.transaction),
      }),
    );
    return Number(row?.n ?? 0);
  }
}
