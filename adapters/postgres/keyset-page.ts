import * as E from 'fp-ts/lib/Either.js';
import { QueryTypes, type Transaction } from 'sequelize';
import { invalidField, type DomainError } from '../../core/shared/entities/errors.js';
import {
  countsTotal,
  decodeKeysetCursor,
  keysetCursor,
  offsetOf,
  type KeysetKeys,
  type Page,
  type PageQuery,
  type Sort,
} from '../../core/shared/entities/pagination.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';

/**
 * A sort key as SQL. `expression` must be the very expression of the table's `(key, id)` index,
 * collation included, or the seek predicate cannot be served from it.
 */
export interface SortSql {
  readonly expression: string;
  readonly type: 'timestamptz' | 'text';
}

/** A listable table, fixed by its adapter: nothing here ever comes from a client. */
export interface KeysetTable<R, T, F extends string> {
  readonly table: string;
  readonly sql: { readonly [K in F]: SortSql };
  readonly keys: KeysetKeys<T, F>;
  readonly toItem: (row: R) => T;
}

/** Fixed SQL conditions joined with AND; client values go only through `bind`. */
export interface SqlFilter {
  readonly where: readonly string[];
  readonly bind: Readonly<Record<string, unknown>>;
}

type Keyed<R> = R & { readonly id: string; readonly sort_value: string | Date };

/**
 * One page of a table: with a cursor, the rows after its position `(key, id) > (value, id)`
 * (`<` descending), so a deep page costs what the first does; without, `page` by offset. One row
 * more than the page is read to know whether a next cursor is due. `total` counts every match
 * when the query counts (page mode, or `withTotal`), and is null otherwise: a count scans every
 * match, which would make a cursor page's cost grow with the collection.
 * A cursor not made for this table's keys and this sort is Left(Validation) on `cursor`.
 */
export const listKeyset = async <R, T, F extends string>(
  db: PostgresDatabase,
  transaction: Transaction | undefined,
  from: KeysetTable<R, T, F>,
  filter: SqlFilter,
  sort: Sort<F>,
  page: PageQuery,
): Promise<E.Either<DomainError, Page<T>>> => {
  const after = page.cursor === undefined ? null : decodeKeysetCursor(page.cursor, sort, from.keys);
  if (page.cursor !== undefined && after === null) return E.left(invalidField('cursor', 'is not a cursor for this sort'));
  const { where, bind } = filter;
  const options = { type: QueryTypes.SELECT, ...inTx(transaction) } as const;
  const total = countsTotal(page)
    ? Number(
        (
          await guarded(() =>
            db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM ${from.table} WHERE ${where.join(' AND ')}`, { ...options, bind }),
          )
        )[0]?.n ?? 0,
      )
    : null;
  const { expression, type } = from.sql[sort.field];
  const dir = sort.direction === 'asc' ? 'ASC' : 'DESC';
  const seek = after === null ? [] : [`(${expression}, id) ${sort.direction === 'asc' ? '>' : '<'} ($after::${type}, $afterId::uuid)`];
  const sql =
    `SELECT *, ${expression} AS sort_value FROM ${from.table} WHERE ${[...where, ...seek].join(' AND ')} ` +
    `ORDER BY ${expression} ${dir}, id ${dir} LIMIT $limit${after === null ? ' OFFSET $offset' : ''}`;
  const pageBind = after === null ? { offset: offsetOf(page) } : { after: after.value, afterId: after.id };
  const rows = await guarded(() =>
    db.sequelize.query<Keyed<R>>(sql, { ...options, bind: { ...bind, ...pageBind, limit: page.size + 1 } }),
  );
  const served = rows.slice(0, page.size);
  const last = served.at(-1);
  // The value as the database ordered it (a timestamp comes back as a Date).
  const value = (r: Keyed<R>) => (r.sort_value instanceof Date ? r.sort_value.toISOString() : String(r.sort_value));
  return E.right({
    items: served.map(from.toItem),
    total,
    page: page.page,
    size: page.size,
    nextCursor: rows.length > page.size && last ? keysetCursor(sort, { value: value(last), id: last.id }) : null,
  });
};

/** A LIKE pattern for "contains `q`", with LIKE's own metacharacters taken literally (ESCAPE '\\'). */
export const containsPattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
