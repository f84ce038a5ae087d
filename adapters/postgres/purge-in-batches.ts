import { QueryTypes } from 'sequelize';
import { guarded, type PostgresDatabase } from './database.js';

/**
 * Retention deletes, a batch per statement: each statement locks and writes at most `batch` rows
 * and commits on its own, so purging a long backlog (a first run after months) never holds one
 * huge transaction, nor blocks the inserts that keep arriving. `where` must select by an indexed
 * column; `bind` holds its `$name` parameters. Returns how many rows went.
 */
export const purgeInBatches = async (
  db: PostgresDatabase,
  table: string,
  where: string,
  bind: Record<string, unknown>,
  batch = 5_000,
): Promise<number> => {
  let removed = 0;
  for (;;) {
    const rows = await guarded(() =>
      db.sequelize.query<{ id: string }>(
        `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} LIMIT ${batch} FOR UPDATE SKIP LOCKED) RETURNING id`,
        { bind, type: QueryTypes.SELECT },
      ),
    );
    removed += rows.length;
    if (rows.length < batch) return removed;
  }
};
