import { expect } from 'chai';
import pg from 'pg';
import { closeDatabase, openPostgres, uniqueViolation, type PostgresDatabase } from '../../adapters/postgres/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../adapters/postgres/embedded-server.js';
import { createServerDatabase } from '../support/databases.js';
import { POSTGRES_URL, requireService } from '../support/services.js';

/**
 * The in-process PGlite driver (adapters/postgres/pglite-driver.ts): what our Sequelize code sees
 * must be what it sees from a real server, and the connections taking turns on PGlite's one
 * session must never see each other's statements nor wait forever.
 */

const SCHEMA = `
  CREATE TABLE things (
    id bigserial PRIMARY KEY,
    name text NOT NULL CONSTRAINT things_name_key UNIQUE,
    at timestamptz NOT NULL,
    doc jsonb NOT NULL,
    tags text[] NOT NULL,
    amount numeric(12,2),
    flag boolean NOT NULL,
    day date,
    blob bytea
  )`;

const TYPED_ROW = `
  INSERT INTO things (name, at, doc, tags, amount, flag, day, blob)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  RETURNING *`;

const typedValues = (name: string) => [
  name,
  new Date('2031-01-15T09:00:00.123Z'),
  JSON.stringify({ a: [1, 2, { b: null }], s: 'é ✓', n: 1.5 }),
  ['x', 'y,z', 'q"uote'],
  '12345.67',
  true,
  '2031-01-15',
  Buffer.from([0, 1, 2, 255]),
];

/** Everything our code reads off a query result, without pg's internals. */
const observable = async (db: PostgresDatabase) => {
  await db.sequelize.query(SCHEMA);
  const [inserted, insertResult] = (await db.sequelize.query(TYPED_ROW, { bind: typedValues('first') })) as [unknown[], pg.QueryResult];
  await db.sequelize.query(TYPED_ROW, { bind: typedValues('second') });
  const [rows, result] = (await db.sequelize.query(
    `SELECT name, at, doc, tags, amount, flag, day, blob, count(*) OVER () AS total, id, now() > at AS later,
            NULL::text AS nothing, ARRAY[1,2]::int[] AS ints, '{"k": true}'::json AS plain
       FROM things ORDER BY id`,
  )) as [Record<string, unknown>[], pg.QueryResult];
  const [, updated] = (await db.sequelize.query(`UPDATE things SET flag = false WHERE flag`)) as [unknown, pg.QueryResult];
  const [, empty] = (await db.sequelize.query(`DELETE FROM things WHERE name = 'nobody'`)) as [unknown, pg.QueryResult];
  let unique: unknown;
  try {
    await db.sequelize.query(TYPED_ROW, { bind: typedValues('first') });
  } catch (error) {
    unique = error;
  }
  const e = unique as { name: string; parent: pg.DatabaseError };
  return {
    inserted,
    insertResult: { command: insertResult.command, rowCount: insertResult.rowCount },
    rows,
    fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    command: result.command,
    rowCount: result.rowCount,
    updated: { command: updated.command, rowCount: updated.rowCount },
    empty: { command: empty.command, rowCount: empty.rowCount },
    error: {
      name: e.name,
      isPgError: e.parent instanceof pg.DatabaseError,
      code: e.parent.code,
      constraint: e.parent.constraint,
      detail: e.parent.detail,
      table: e.parent.table,
      schema: e.parent.schema,
      severity: e.parent.severity,
      message: e.parent.message,
      uniqueViolation: uniqueViolation(unique),
    },
  };
};

describe('in-process PGlite driver', function () {
  this.timeout(120_000);

  describe('what our code sees, side by side with a PostgreSQL server', () => {
    it('types, rowCount, command, fields and unique-violation errors are the same as through pg to a server', async function () {
      await requireService(this, 'PostgreSQL', POSTGRES_URL);
      const server = await createServerDatabase(POSTGRES_URL, 'portside_drv');
      const real = openPostgres({ url: server.url, poolMax: 2 });
      const embedded = await startEmbeddedPostgres();
      const local = openPostgres({ connect: embedded.connect, poolMax: 2 });
      try {
        const expected = await observable(real);
        const actual = await observable(local);
        expect(actual).to.deep.equal(expected);
        // and the values are the parsed types our code relies on, not strings everywhere
        const row = actual.rows[0]!;
        expect(row['at']).to.be.instanceOf(Date);
        expect(row['doc']).to.deep.equal({ a: [1, 2, { b: null }], s: 'é ✓', n: 1.5 });
        expect(row['tags']).to.deep.equal(['x', 'y,z', 'q"uote']);
        expect(row['total']).to.equal('2');
        expect(row['flag']).to.equal(true);
        expect(actual.error.uniqueViolation).to.equal('things_name_key');
      } finally {
        await closeDatabase(real);
        await server.drop();
        await closeDatabase(local);
        await embedded.stop();
      }
    });
  });

  describe('turn-taking on the one session', () => {
    let embedded: EmbeddedPostgres;
    const clients: pg.Client[] = [];
    const client = async () => {
      const c = new pg.Client({ stream: embedded.connect } as pg.ClientConfig);
      clients.push(c);
      await c.connect();
      return c;
    };
    const tracked = <T>(promise: Promise<T>) => {
      const state = { settled: false };
      void promise.then(
        () => (state.settled = true),
        () => (state.settled = true),
      );
      return state;
    };

    beforeEach(async () => {
      embedded = await startEmbeddedPostgres({ lockTimeoutMs: 300 });
      const setup = await client();
      await setup.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) await c.end().catch(() => undefined);
      await embedded.stop();
    });

    it('a query from another connection waits while a transaction is open, then runs and sees its commit', async () => {
      const a = await client();
      const b = await client();
      await a.query('START TRANSACTION');
      await a.query('INSERT INTO t VALUES ($1, $2)', [1, 'one']);
      const read = b.query<{ n: string }>('SELECT count(*) AS n FROM t');
      const state = tracked(read);
      // Several round trips of the transaction go by: the other connection's query is still waiting.
      await a.query('INSERT INTO t VALUES ($1, $2)', [2, 'two']);
      await a.query('SELECT * FROM t WHERE id = $1', [1]);
      expect(state.settled).to.equal(false);
      await a.query('COMMIT');
      expect((await read).rows[0]!.n).to.equal('2');
    });

    it('a rolled-back transaction hands the session on, and its writes are gone', async () => {
      const a = await client();
      const b = await client();
      await a.query('BEGIN');
      await a.query("INSERT INTO t VALUES (1, 'one')");
      const read = b.query<{ n: string }>('SELECT count(*) AS n FROM t');
      await a.query('ROLLBACK');
      expect((await read).rows[0]!.n).to.equal('0');
    });

    it('failing statements outside a transaction (simple and extended protocol) do not stall the next ones', async () => {
      const a = await client();
      const b = await client();
      const failures = await Promise.allSettled([
        a.query('SELECT 1/0'),
        b.query('SELECT $1::int', ['not a number']),
        a.query('SELECT * FROM no_such_table WHERE id = $1', [1]),
        b.query('INSERT INTO t VALUES (1, $1), (1, $1)', ['dup']),
      ]);
      expect(failures.map((f) => f.status === 'rejected' && (f.reason as pg.DatabaseError).code)).to.deep.equal(['22012', '22P02', '42P01', '23505']);
      const after = await Promise.all([a.query('SELECT $1::int AS n', [7]), b.query('SELECT 8 AS n')]);
      expect(after.map((r) => r.rows[0].n)).to.deep.equal([7, 8]);
    });

    it('a failing statement inside a transaction aborts only that transaction; after ROLLBACK others run', async () => {
      const a = await client();
      const b = await client();
      await a.query('BEGIN');
      await a.query("INSERT INTO t VALUES (1, 'one')");
      await a.query("INSERT INTO t VALUES (1, 'again')").catch((error: pg.DatabaseError) => expect(error.code).to.equal('23505'));
      const waiting = b.query<{ n: string }>('SELECT count(*) AS n FROM t');
      const state = tracked(waiting);
      const aborted = await a.query('SELECT 1').catch((error: pg.DatabaseError) => error);
      expect((aborted as pg.DatabaseError).code).to.equal('25P02'); // in failed transaction: still ours
      expect(state.settled).to.equal(false);
      await a.query('ROLLBACK');
      expect((await waiting).rows[0]!.n).to.equal('0');
    });

    it('a connection that goes away inside its transaction is rolled back and does not block the others', async () => {
      const a = await client();
      const b = await client();
      await a.query('BEGIN');
      await a.query("INSERT INTO t VALUES (1, 'lost')");
      const read = b.query<{ n: string }>('SELECT count(*) AS n FROM t');
      a.on('error', () => undefined); // pg reports the dropped connection
      (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      expect((await read).rows[0]!.n).to.equal('0');
      const c = await client();
      expect((await c.query('SELECT count(*) AS n FROM t')).rows[0].n).to.equal('0');
    });

    it('a transaction that never ends makes the others fail with 55P03 instead of hanging, and they stay usable', async () => {
      const a = await client();
      const b = await client();
      await a.query('BEGIN');
      await a.query("INSERT INTO t VALUES (1, 'held')");
      const error = (await b.query('SELECT count(*) FROM t').catch((e: unknown) => e)) as pg.DatabaseError;
      expect(error).to.be.instanceOf(pg.DatabaseError);
      expect(error.code).to.equal('55P03');
      await a.query('COMMIT');
      expect((await b.query('SELECT count(*) AS n FROM t')).rows[0].n).to.equal('1');
    });

    it('hundreds of concurrent parameterised queries on a pool never see each other’s statement or portal', async () => {
      // Its own engine with the default lock timeout: 300 statements on 8 connections queue for a while.
      const busy = await startEmbeddedPostgres();
      const db = openPostgres({ connect: busy.connect, poolMax: 8 });
      try {
        await db.sequelize.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            i % 3 === 0
              ? db.sequelize.transaction(async (transaction) => {
                  await db.sequelize.query('INSERT INTO t VALUES ($1, $2)', { bind: [i, `v${i}`], transaction });
                  const [rows] = await db.sequelize.query('SELECT v FROM t WHERE id = $1', { bind: [i], transaction });
                  return (rows as { v: string }[])[0]!.v;
                })
              : db.sequelize.query('SELECT $1::text AS v, $2::int AS i', { bind: [`v${i}`, i] }).then(([rows]) => (rows as { v: string }[])[0]!.v),
          ),
        );
        expect(results).to.deep.equal(Array.from({ length: 300 }, (_, i) => `v${i}`));
      } finally {
        await closeDatabase(db);
        await busy.stop();
      }
    });

    it('after stop, a new connection fails as a server shutting down would (57P01), not a hang', async () => {
      await embedded.stop();
      const c = new pg.Client({ stream: embedded.connect } as pg.ClientConfig);
      const error = (await c.connect().catch((e: unknown) => e)) as { code?: string };
      expect(error.code).to.equal('57P01');
      embedded = await startEmbeddedPostgres();
    });
  });
});
