import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import type { Sequelize } from 'sequelize';
import { PostgresRecordRepository } from '../../adapters/postgres/postgres-record-repository.js';
import type { RecordFilter, RecordSortField } from '../../core/records/ports/record-repository.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import type { DataRecord } from '../../core/records/entities/record.js';
import { measureEachDatabase, type BenchDatabase } from './databases.js';
import { median, ms, ratio, table } from './measure.js';
import { insertRecords } from './seed-records.js';

/**
 * Keyset versus offset paging on the records Postgres adapter: the cost of a deep page relative to
 * page 1. An offset page makes the database walk and discard every row before it; a keyset page
 * starts from the cursor's index position, so its cost should not grow with depth.
 */
const OWNER_ROWS = 20_000;
const OTHER_ROWS = 10_000;
const SIZE = 20;
const DEEP_PAGE = 900;
const ROUNDS = 5;
const PER_ROUND = 3;
const SORT: Sort<RecordSortField> = { field: 'created_at', direction: 'desc' };

/** One transaction; other owners' rows share the table and the created_at range, as in a real deployment. */
const seed = async (db: BenchDatabase, ownerId: string): Promise<void> => {
  await db.db.sequelize.transaction(async (transaction) => {
    await insertRecords(db, transaction, { ownerId, count: OWNER_ROWS, start: '2024-01-01T00:00:00Z' });
    for (let n = 0; n < 10; n += 1) {
      await insertRecords(db, transaction, { ownerId: randomUUID(), count: OTHER_ROWS / 10, start: '2024-01-01T00:00:00.5Z' });
    }
  });
  await db.db.sequelize.query('ANALYZE records');
};

/** Times the page SELECT the repository sends (not its count), by wrapping this instance's query. */
const timePageQueries = (sequelize: Sequelize): { last: () => number } => {
  const target = sequelize as unknown as { query: (sql: unknown, ...rest: unknown[]) => Promise<unknown> };
  const original = target.query.bind(sequelize);
  let last = Number.NaN;
  target.query = async (sql, ...rest) => {
    if (typeof sql !== 'string' || !sql.startsWith('SELECT *,')) return original(sql, ...rest);
    const start = performance.now();
    const result = await original(sql, ...rest);
    last = performance.now() - start;
    return result;
  };
  return { last: () => last };
};

const measure = async (db: BenchDatabase): Promise<string> => {
  const ownerId = randomUUID();
  const seedStart = performance.now();
  await seed(db, ownerId);
  const seedMs = performance.now() - seedStart;
  const pageSelect = timePageQueries(db.db.sequelize);
  const repo = new PostgresRecordRepository(db.db);
  const filter: RecordFilter = { ownerId };
  const list = async (page: PageQuery): Promise<Page<DataRecord>> => {
    const result = await repo.list(filter, SORT, page);
    if (E.isLeft(result)) throw new Error(`list failed: ${result.left.message}`);
    return result.right;
  };

  // Walk the cursor to the deep page the way a client would (in pages of 100, then of 20: a
  // cursor marks a row, not a page size), and check it lands where the offset page does.
  const before = (DEEP_PAGE - 1) * SIZE;
  let cursor: string | undefined;
  let walked = 0;
  for (const step of [100, SIZE]) {
    while (walked + step <= before) {
      const page = await list({ page: 1, size: step, cursor });
      cursor = page.nextCursor ?? undefined;
      walked += step;
      if (cursor === undefined) throw new Error(`the cursor ran out after ${walked} rows`);
    }
  }
  const byOffset = await list({ page: DEEP_PAGE, size: SIZE });
  const byKeyset = await list({ page: 1, size: SIZE, cursor });
  const ids = (p: Page<DataRecord>) => p.items.map((r) => r.id).join();
  if (byOffset.items.length !== SIZE || ids(byOffset) !== ids(byKeyset)) {
    throw new Error(`page ${DEEP_PAGE} by offset and by cursor differ: the comparison would be meaningless`);
  }

  const cases: Record<'first' | 'offsetDeep' | 'keysetDeep', PageQuery> = {
    first: { page: 1, size: SIZE },
    offsetDeep: { page: DEEP_PAGE, size: SIZE },
    keysetDeep: { page: 1, size: SIZE, cursor },
  };
  const samples = { first: { list: [] as number[], select: [] as number[] }, offsetDeep: { list: [] as number[], select: [] as number[] }, keysetDeep: { list: [] as number[], select: [] as number[] } };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Cases alternate (so drift hits all alike) in short runs whose first call is not timed: on
    // PGlite the database shares this thread, and an offset page's sort leaves work behind that
    // would otherwise be billed to whichever case happens to run next.
    for (const name of ['first', 'offsetDeep', 'keysetDeep'] as const) {
      for (let call = -1; call < PER_ROUND; call += 1) {
        const start = performance.now();
        await list(cases[name]);
        const total = performance.now() - start;
        if (call < 0) continue;
        samples[name].list.push(total);
        samples[name].select.push(pageSelect.last());
      }
    }
  }
  const m = (name: keyof typeof samples, kind: 'list' | 'select') => median(samples[name][kind]);
  const row = (label: string, kind: 'list' | 'select') => [
    label,
    ms(m('first', kind)),
    ms(m('keysetDeep', kind)),
    ms(m('offsetDeep', kind)),
    ratio(m('keysetDeep', kind), m('first', kind)),
    ratio(m('offsetDeep', kind), m('first', kind)),
  ];
  return [
    `${db.label}: ${OWNER_ROWS.toLocaleString('en')} records of one owner (+${OTHER_ROWS.toLocaleString('en')} of others, seeded in ${(seedMs / 1000).toFixed(1)} s), ` +
      `newest first, page ${DEEP_PAGE} of size ${SIZE} (offset ${before.toLocaleString('en')}); median of ${ROUNDS * PER_ROUND}`,
    table([
      ['', 'page 1', 'keyset deep', 'offset deep', 'keyset deep/first', 'offset deep/first'],
      row('page SELECT only', 'select'),
      row('list() incl. count', 'list'),
    ]),
    `  => keyset deep/first: ${ratio(m('keysetDeep', 'select'), m('first', 'select'))}   offset deep/first: ${ratio(m('offsetDeep', 'select'), m('first', 'select'))}` +
      `   (page SELECT; list() in page mode also counts every match for "total"; a cursor page does not count)`,
  ].join('\n');
};

export const recordsPagination = (): Promise<void> => measureEachDatabase('# Records: keyset vs offset pagination (PostgresRecordRepository.list)', measure);
