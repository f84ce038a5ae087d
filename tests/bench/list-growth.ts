import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { QueryTypes } from 'sequelize';
import { PostgresRecordRepository } from '../../adapters/postgres/postgres-record-repository.js';
import type { RecordSortField } from '../../core/records/ports/record-repository.js';
import type { PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import { measureEachDatabase, type BenchDatabase } from './databases.js';
import { median, ms, ratio, table, timed } from './measure.js';
import { insertRecords } from './seed-records.js';

/**
 * How one owner's records list costs as the owner's rows grow (100, 10,000, 100,000; and
 * 1,000,000 on a server named by BENCH_DATABASE_URL): page 1 (page mode, which counts every match
 * for `total`), a cursor page (no count, as the contract says), and a cursor page that asks for
 * the count with `with_total=true`. Each figure is a ratio to the same figure at 100 rows,
 * measured in the same run on the same database.
 */
const SIZE = 20;
const ROUNDS = 5;
const PER_ROUND = 4;
const SORT: Sort<RecordSortField> = { field: 'created_at', direction: 'desc' };
const OTHER_OWNERS_ROWS = 10_000;

type Case = 'first' | 'cursor' | 'cursorWithTotal';

const measure = async (db: BenchDatabase): Promise<string> => {
  const steps = db.kind === 'postgres' ? [100, 10_000, 100_000, 1_000_000] : [100, 10_000, 100_000];
  const ownerId = randomUUID();
  const repo = new PostgresRecordRepository(db.db);
  const list = async (page: PageQuery) => {
    const result = await repo.list({ ownerId }, SORT, page);
    if (E.isLeft(result)) throw new Error(`list failed: ${result.left.message}`);
    return result.right;
  };
  await db.db.sequelize.transaction((transaction) =>
    insertRecords(db, transaction, { ownerId: randomUUID(), count: OTHER_OWNERS_ROWS, start: '2023-06-01T00:00:00Z' }),
  );
  const results: { rows: number; seedS: number; medians: Record<Case, number> }[] = [];
  let have = 0;
  for (const rows of steps) {
    const seedMs = await timed(async () => {
      await db.db.sequelize.transaction((transaction) =>
        insertRecords(db, transaction, { ownerId, count: rows - have, start: new Date(Date.UTC(2024, 0, 1) + have * 1000).toISOString() }),
      );
      // What autovacuum does on a server in time (PGlite has no autovacuum): statistics for the
      // planner, and the visibility map that lets a count read the index alone.
      await db.db.sequelize.query('VACUUM ANALYZE records');
    });
    have = rows;
    const first = await list({ page: 1, size: SIZE });
    const cursor = first.nextCursor ?? undefined;
    if (first.total !== rows || cursor === undefined) throw new Error(`expected ${rows} rows and a cursor, got ${first.total}`);
    const cases: Record<Case, PageQuery> = {
      first: { page: 1, size: SIZE },
      cursor: { page: 1, size: SIZE, cursor },
      cursorWithTotal: { page: 1, size: SIZE, cursor, withTotal: true },
    };
    if (results.length === 0) {
      // The first size is the baseline: warm the JIT and the engine's caches before it is timed.
      for (let i = 0; i < 50; i += 1) for (const name of Object.keys(cases) as Case[]) await list(cases[name]);
    }
    const samples: Record<Case, number[]> = { first: [], cursor: [], cursorWithTotal: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const name of Object.keys(cases) as Case[]) {
        for (let call = -1; call < PER_ROUND; call += 1) {
          const took = await timed(() => list(cases[name]));
          if (call >= 0) samples[name].push(took);
        }
      }
    }
    results.push({ rows, seedS: seedMs / 1000, medians: { first: median(samples.first), cursor: median(samples.cursor), cursorWithTotal: median(samples.cursorWithTotal) } });
  }
  // How the count behind `total` is read at the largest size (the same filter the repository counts with).
  const plan = (await db.db.sequelize.query<{ 'QUERY PLAN': string }>(
    'EXPLAIN SELECT count(*) FROM records WHERE deleted_at IS NULL AND owner_id = $owner::uuid',
    { bind: { owner: ownerId }, type: QueryTypes.SELECT },
  ))
    .map((r) => r['QUERY PLAN'].trim())
    .find((line) => /Scan/.test(line));
  const base = results[0]!.medians;
  return [
    `${db.label}: one owner's records (+${OTHER_OWNERS_ROWS.toLocaleString('en')} of another owner), newest first, size ${SIZE}; median of ${ROUNDS * PER_ROUND} list() calls; ratio to 100 rows`,
    table([
      ['rows of the owner', 'page 1 (counts)', 'cursor page', 'cursor + with_total', 'page 1 / 100 rows', 'cursor / 100 rows', 'with_total / 100 rows'],
      ...results.map((r) => [
        r.rows.toLocaleString('en'),
        ms(r.medians.first),
        ms(r.medians.cursor),
        ms(r.medians.cursorWithTotal),
        ratio(r.medians.first, base.first),
        ratio(r.medians.cursor, base.cursor),
        ratio(r.medians.cursorWithTotal, base.cursorWithTotal),
      ]),
    ]),
    `  => cursor page at ${results.at(-1)!.rows.toLocaleString('en')} rows: ${ratio(results.at(-1)!.medians.cursor, base.cursor)} the 100-row one (target <= 1.3x)`,
    `  count plan at ${results.at(-1)!.rows.toLocaleString('en')} rows: ${plan ?? '(no scan line)'}`,
  ].join('\n');
};

export const listGrowth = (): Promise<void> => measureEachDatabase('# Lists as the data grows (PostgresRecordRepository.list: page 1, cursor page, cursor + with_total)', measure);
