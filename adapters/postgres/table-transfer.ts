import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * Whole-table copy for export and import (composition/archive): the tables are read from the
 * catalog, not from a list kept by hand, so a table a later migration adds is carried along
 * without touching this file. Rows travel as Postgres's own JSON rendering of the row
 * (`row_to_json`, JSON and JSONB columns as their text) and come back through `json_to_recordset`
 * with the columns' own types, so
 * every value is converted by the database on both sides (timestamps with their microseconds,
 * JSONB, BIGINT beyond 2^53, arrays, ranges) and never by JavaScript.
 *
 * Every function takes the transaction it runs in: the embedded engine is one session, and a
 * query outside the open transaction would wait for it forever.
 */

/** The table that records applied migrations: carried as the archive's schema version, not as rows. */
export const MIGRATIONS_TABLE = 'schema_migrations';

export interface TableInfo {
  readonly name: string;
  /** Columns a row is written with (generated columns left out), in table order. */
  readonly columns: readonly string[];
  /** The SQL type of each of `columns` (`format_type`), in the same order. */
  readonly types: readonly string[];
  /** Primary key columns, in key order (empty when the table has none). */
  readonly primaryKey: readonly string[];
}

/**
 * JSON and JSONB values travel as their text: in `row_to_json` a JSON `null` and an SQL NULL
 * would both be `null`, and the first would come back as the second.
 */
const isJson = (type: string): boolean => type === 'json' || type === 'jsonb';

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const select = <T extends object>(sequelize: Sequelize, transaction: Transaction, sql: string, bind: unknown[] = []): Promise<T[]> =>
  sequelize.query<T>(sql, { type: QueryTypes.SELECT, transaction, bind });

/**
 * The ordinary tables of the current schema except the migrations table, parents before the
 * tables whose foreign keys point at them (alphabetical otherwise, so the order is stable).
 */
export const listTables = async (sequelize: Sequelize, transaction: Transaction): Promise<TableInfo[]> => {
  const rows = await select<{ name: string; columns: string[]; types: string[]; primary_key: string[] | null }>(
    sequelize,
    transaction,
    `SELECT c.relname AS name,
            ARRAY(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                  ORDER BY a.attnum) AS columns,
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                  ORDER BY a.attnum) AS types,
            ARRAY(SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                  WHERE i.indrelid = c.oid AND i.indisprimary
                  ORDER BY array_position(i.indkey::int2[], a.attnum)) AS primary_key
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
     ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const edges = await select<{ child: string; parent: string }>(
    sequelize,
    transaction,
    `SELECT ch.relname AS child, pa.relname AS parent
     FROM pg_constraint k JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = ch.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema() AND ch.oid <> pa.oid`,
  );
  const tables = new Map(rows.map((r) => [r.name, { name: r.name, columns: r.columns, types: r.types, primaryKey: r.primary_key ?? [] }]));
  const ordered: TableInfo[] = [];
  const visiting = new Set<string>();
  const visit = (name: string): void => {
    const table = tables.get(name);
    if (!table || visiting.has(name)) return;
    visiting.add(name);
    for (const edge of edges) if (edge.child === name) visit(edge.parent);
    tables.delete(name);
    ordered.push(table);
  };
  for (const name of [...tables.keys()]) visit(name);
  return ordered;
};

/**
 * Opens a consistent, read-only snapshot on this transaction: every later read sees the database
 * as it was at the first one. Must be the transaction's first statement.
 */
export const beginSnapshot = async (sequelize: Sequelize, transaction: Transaction): Promise<void> => {
  await sequelize.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY', { transaction });
  // Timestamps are rendered in UTC, whatever the server's zone: the same database gives the same bytes.
  await sequelize.query("SET LOCAL TimeZone = 'UTC'", { transaction });
};

export const countRows = async (sequelize: Sequelize, transaction: Transaction, table: string): Promise<number> => {
  const [row] = await select<{ n: string }>(sequelize, transaction, `SELECT count(*)::text AS n FROM ${quoteIdent(table)}`);
  return Number(row!.n);
};

export const hasRows = async (sequelize: Sequelize, transaction: Transaction, table: string): Promise<boolean> => {
  const [row] = await select<{ present: boolean }>(sequelize, transaction, `SELECT EXISTS (SELECT 1 FROM ${quoteIdent(table)}) AS present`);
  return row!.present;
};

/**
 * The table's rows as JSON texts, `batchSize` at a time, through a server-side cursor in primary
 * key order: only one batch is ever in memory, however large the table.
 */
export async function* readRows(sequelize: Sequelize, transaction: Transaction, table: TableInfo, batchSize: number): AsyncGenerator<string[]> {
  const cursor = quoteIdent(`portside_export_${table.name}`);
  const list = table.columns.map((c, i) => (isJson(table.types[i]!) ? `${quoteIdent(c)}::text AS ${quoteIdent(c)}` : quoteIdent(c))).join(', ');
  const order = table.primaryKey.length > 0 ? ` ORDER BY ${table.primaryKey.map((c) => quoteIdent(c)).join(', ')}` : '';
  await sequelize.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT row_to_json(r)::text AS row FROM (SELECT ${list} FROM ${quoteIdent(table.name)}${order}) r`,
    { transaction },
  );
  try {
    for (;;) {
      const rows = await select<{ row: string }>(sequelize, transaction, `FETCH FORWARD ${Math.trunc(batchSize)} FROM ${cursor}`);
      if (rows.length === 0) return;
      yield rows.map((r) => r.row);
    }
  } finally {
    await sequelize.query(`CLOSE ${cursor}`, { transaction });
  }
}

/**
 * Inserts rows given as JSON texts (as `readRows` gives them) into the table, in one statement.
 * Each value is converted by the database from its JSON form to the column's type.
 */
export const insertRows = async (sequelize: Sequelize, transaction: Transaction, table: TableInfo, rows: readonly string[]): Promise<void> => {
  if (rows.length === 0) return;
  const columns = table.columns.map(quoteIdent).join(', ');
  const definitions = table.columns.map((c, i) => `${quoteIdent(c)} ${isJson(table.types[i]!) ? 'text' : table.types[i]}`).join(', ');
  const values = table.columns.map((c, i) => (isJson(table.types[i]!) ? `r.${quoteIdent(c)}::${table.types[i]}` : `r.${quoteIdent(c)}`)).join(', ');
  await sequelize.query(
    `INSERT INTO ${quoteIdent(table.name)} (${columns}) OVERRIDING SYSTEM VALUE
     SELECT ${values} FROM json_to_recordset($1::json) AS r(${definitions})`,
    { transaction, bind: [`[${rows.join(',')}]`] },
  );
};

/** Empties the tables (for an import with --force), inside the caller's transaction. */
export const truncateTables = async (sequelize: Sequelize, transaction: Transaction, tables: readonly string[]): Promise<void> => {
  if (tables.length === 0) return;
  await sequelize.query(`TRUNCATE ${tables.map(quoteIdent).join(', ')}`, { transaction });
};

/**
 * Moves every sequence owned by a column of these tables (serial and identity columns) past the
 * largest value loaded, so the next generated value does not collide with an imported row.
 * Returns how many sequences were set.
 */
export const resetSequences = async (sequelize: Sequelize, transaction: Transaction, tables: readonly string[]): Promise<number> => {
  const owned = await select<{ table_name: string; column_name: string; sequence: string }>(
    sequelize,
    transaction,
    `SELECT c.relname AS table_name, a.attname AS column_name, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
     WHERE n.nspname = current_schema() AND c.relname = ANY ($1::text[]) AND a.attnum > 0 AND NOT a.attisdropped
       AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
    [tables],
  );
  for (const { table_name, column_name, sequence } of owned) {
    await sequelize.query(
      `SELECT setval($1::regclass, COALESCE((SELECT max(${quoteIdent(column_name)}) FROM ${quoteIdent(table_name)}), 0) + 1, false)`,
      { transaction, bind: [sequence] },
    );
  }
  return owned.length;
};

/** The object key → content type of stored files, for carrying objects between stores. */
export const contentTypeOfObject = async (sequelize: Sequelize, transaction: Transaction, key: string): Promise<string | null> => {
  const [row] = await select<{ content_type: string }>(sequelize, transaction, 'SELECT content_type FROM files WHERE object_key = $1 LIMIT 1', [key]);
  return row?.content_type ?? null;
};
