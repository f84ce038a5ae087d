import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createNodeRedisClient, Queue, Worker } from 'bullmq';
import pg from 'pg';
import { createClient } from 'redis';
import { bootstrap, type Runtime } from '../../composition/bootstrap.js';
import { startEventPipeline, type EventPipeline } from '../../composition/events.js';
import { IDENTITY } from '../../composition/modules/identity.js';
import { TOKENS } from '../../composition/tokens.js';
import { newEvent } from '../../core/shared/entities/events.js';
import { RECORDS } from '../../composition/modules/records.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { createServerDatabase } from '../support/databases.js';
import { median, table } from './measure.js';

/**
 * `npm run bench -- events` (figure 7 of docs/performance.md): domain events end to end per
 * second against raw BullMQ on the same Redis, in one process, the two taking turns in rounds.
 *
 * - raw BullMQ: N jobs added to a fresh queue (PRODUCERS adds in flight), a Worker with the
 *   events worker's concurrency whose processor does nothing; from the first add to the last
 *   `completed`.
 * - Portside: N records created through the CreateRecord use case, PRODUCERS at a time, each its
 *   own unit of work (the record row and its `record.created` outbox row in one commit), then what
 *   production runs: the outbox relay (woken by the commit), BullMQ, the worker's consumer and
 *   every handler bound (the audit trail writes a row, the notification rules look at it); from
 *   the first commit until the audit trail holds all N.
 *
 * Needs BENCH_DATABASE_URL (a fresh database is created and dropped) and BENCH_REDIS_URL (every
 * queue is created under a prefix of this run and obliterated after); says skipped without them.
 */

const N = Number(process.env['BENCH_EVENTS'] ?? 2000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Adds (raw) or units of work (Portside) in flight: a handful of concurrent requests. */
const PRODUCERS = 8;
/** How often the audit trail is counted while waiting for the last event. */
const POLL_MS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work(i)` for i in 0..n-1 with `width` in flight. */
const inFlight = async (n: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await work(next++);
    }),
  );
};

const nodeRedis = (url: string) => {
  const raw = createClient({ url });
  raw.on('error', () => undefined);
  return { connection: createNodeRedisClient(raw), close: async () => (raw.isOpen ? raw.close() : undefined) };
};

/** Raw BullMQ: jobs/s from the first add to the last completion, on a fresh queue deleted after. */
const rawBullmq = async (redisUrl: string, prefix: string, n: number, concurrency: number): Promise<number> => {
  const name = `raw-${randomBytes(4).toString('hex')}`;
  const producer = nodeRedis(redisUrl);
  const consumer = nodeRedis(redisUrl);
  const queue = new Queue(name, { connection: producer.connection, prefix });
  let completed = 0;
  let last = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const worker = new Worker(name, async () => undefined, { connection: consumer.connection, prefix, concurrency, autorun: false });
  worker.on('completed', () => {
    completed += 1;
    if (completed === n) {
      last = performance.now();
      allDone();
    }
  });
  try {
    void worker.run();
    await worker.waitUntilReady();
    await queue.waitUntilReady();
    const first = performance.now();
    await inFlight(n, PRODUCERS, (i) => queue.add('noop', { i }));
    await done;
    return n / ((last - first) / 1000);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await consumer.close();
    await producer.close();
  }
};

interface Portside {
  readonly runtime: Runtime;
  readonly pipeline: EventPipeline;
  readonly counter: pg.Client;
  readonly actor: Actor;
  readonly prefix: string;
  close(): Promise<void>;
}

const startPortside = async (databaseUrl: string, redisUrl: string, prefix: string): Promise<Portside> => {
  const database = await createServerDatabase(databaseUrl, 'portside_bench');
  const dir = mkdtempSync(join(tmpdir(), 'portside-bench-'));
  const closers: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true }), () => database.drop()];
  const close = async () => {
    for (const c of closers) await c().catch((error: unknown) => console.error('cleanup failed:', error));
  };
  try {
    const runtime = await bootstrap(
      {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        JWT_SECRET: randomBytes(48).toString('base64url'),
        PROFILE: 'services',
        DATA_DIR: join(dir, 'data'),
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        EVENTS_TRANSPORT: 'bullmq',
        QUEUE_PREFIX: prefix,
      },
      { migrate: true },
    );
    closers.unshift(() => runtime.infra.close());
    // The worker's share (relay and consumer) in this process: what `npm run worker` starts.
    const pipeline = await startEventPipeline(runtime.container, 'worker');
    if (!pipeline) throw new Error('no event pipeline started');
    closers.unshift(() => pipeline.stop());
    const counter = new pg.Client({ connectionString: database.url });
    await counter.connect();
    closers.unshift(() => counter.end());
    const tag = randomBytes(4).toString('hex');
    const user = await runtime.container.get(IDENTITY.CreateUser).execute('operator', {
      email: `bench-${tag}@example.com`,
      username: `bench_${tag}`,
      password: `Bench ${randomBytes(9).toString('base64url')} pass`,
      role: 'giver',
    });
    if (user._tag === 'Left') throw new Error(user.left.message);
    const actor: Actor = { userId: user.right.id, sessionId: 'bench', role: 'giver', isAdmin: false };
    return { runtime, pipeline, counter, actor, prefix, close };
  } catch (error) {
    await close();
    throw error;
  }
};

/** Rows in the audit trail, and outbox rows not yet handed to BullMQ. */
const progress = async (p: Portside): Promise<{ audited: number; unrelayed: number }> => {
  const { rows } = await p.counter.query<{ audited: string; unrelayed: string }>(
    'SELECT (SELECT count(*) FROM audit_events) AS audited, (SELECT count(*) FROM outbox_events WHERE published_at IS NULL) AS unrelayed',
  );
  return { audited: Number(rows[0]!.audited), unrelayed: Number(rows[0]!.unrelayed) };
};

interface PathRun {
  readonly perSecond: number;
  /** Seconds from the first commit: the last commit, the outbox empty, the last event handled. */
  readonly committedS: number;
  readonly relayedS: number;
  readonly handledS: number;
}

/** How the N events are committed. */
type Commit = (p: Portside, n: number) => Promise<void>;

/** One record (and its `record.created` event) per unit of work, PRODUCERS at a time: what N requests do. */
const perRequest: Commit = async (p, n) => {
  const create = p.runtime.container.get(RECORDS.CreateRecord);
  await inFlight(n, PRODUCERS, async (i) => {
    const made = await create.execute(p.actor, { name: `bench record ${i}` });
    if (made._tag === 'Left') throw new Error(made.left.message);
  });
};

/** Events per unit of work in the delivery-only variant. */
const BATCH = 100;

/** The same events, BATCH per unit of work through the outbox: takes the commits out, leaves delivery. */
const batched: Commit = async (p, n) => {
  const uow = p.runtime.container.get(TOKENS.UnitOfWork);
  const ids = p.runtime.container.get(TOKENS.IdGenerator);
  const clock = p.runtime.container.get(TOKENS.Clock);
  for (let start = 0; start < n; start += BATCH) {
    const done = await uow.run(async (scope) => {
      for (let i = start; i < Math.min(n, start + BATCH); i += 1) {
        await scope.events.record(newEvent(ids, clock, { type: 'record.created', actorId: p.actor.userId, subjectId: ids.next(), data: { name: `bench event ${i}` } }));
      }
      return E.right(undefined);
    });
    if (E.isLeft(done)) throw new Error(done.left.message);
  }
};

/** Portside: events/s from the first commit until the audit trail holds every one. */
const portsidePath = async (p: Portside, n: number, commit: Commit): Promise<PathRun> => {
  const before = (await progress(p)).audited;
  const first = performance.now();
  await commit(p, n);
  const committed = performance.now();
  let relayed: number | null = null;
  const deadline = committed + 300_000;
  for (;;) {
    const now = await progress(p);
    if (relayed === null && now.unrelayed === 0) relayed = performance.now();
    if (now.audited >= before + n) break;
    if (performance.now() > deadline) throw new Error(`only ${now.audited - before} of ${n} events reached the audit trail in 300 s`);
    await sleep(POLL_MS);
  }
  const handled = performance.now();
  const s = (t: number) => (t - first) / 1000;
  return { perSecond: n / s(handled), committedS: s(committed), relayedS: s(relayed ?? handled), handledS: s(handled) };
};

export const eventsBench = async (): Promise<void> => {
  const databaseUrl = process.env['BENCH_DATABASE_URL'];
  const redisUrl = process.env['BENCH_REDIS_URL'];
  console.log(
    `# events end to end vs raw BullMQ: ${N} per run, ${PRODUCERS} producers in flight, ${ROUNDS} rounds, ` +
      `${availableParallelism()} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  );
  if (!databaseUrl || !redisUrl) {
    console.log(`  skipped: set ${[databaseUrl ? null : 'BENCH_DATABASE_URL', redisUrl ? null : 'BENCH_REDIS_URL'].filter(Boolean).join(' and ')} (a PostgreSQL server and a Redis)`);
    return;
  }
  const prefix = `portside-bench-${randomBytes(4).toString('hex')}`;
  const portside = await startPortside(databaseUrl, redisUrl, prefix);
  const concurrency = portside.runtime.config.events.workerConcurrency;
  const raw: number[] = [];
  const cases = [
    { name: '7. events end to end, one per unit of work (CreateRecord)', commit: perRequest, values: [] as number[], ratios: [] as number[] },
    { name: `7b. the same, ${BATCH} events per unit of work (delivery alone)`, commit: batched, values: [] as number[], ratios: [] as number[] },
  ];
  try {
    // Warm-up: JIT, pools, the relay's and the worker's first round trips.
    await rawBullmq(redisUrl, prefix, Math.min(N, 200), concurrency);
    for (const c of cases) await portsidePath(portside, Math.min(N, 200), c.commit);
    for (let round = 1; round <= ROUNDS; round += 1) {
      // The raw baseline between the two Portside runs, first and last in turn, so no case always runs on the warmer machine.
      const order = round % 2 === 1 ? [cases[0]!, cases[1]!] : [cases[1]!, cases[0]!];
      const first = await portsidePath(portside, N, order[0]!.commit);
      const baseline = await rawBullmq(redisUrl, prefix, N, concurrency);
      const second = await portsidePath(portside, N, order[1]!.commit);
      raw.push(baseline);
      const parts: string[] = [];
      for (const [c, run] of [[order[0]!, first], [order[1]!, second]] as const) {
        c.values.push(run.perSecond);
        c.ratios.push(run.perSecond / baseline);
        parts.push(
          `${c.name.split(' ')[0]} ${run.perSecond.toFixed(0)} events/s = ${(run.perSecond / baseline).toFixed(2)} ` +
            `(last commit ${run.committedS.toFixed(2)} s, outbox empty ${run.relayedS.toFixed(2)} s, last handled ${run.handledS.toFixed(2)} s)`,
        );
      }
      console.log(`  round ${round}/${ROUNDS}: raw BullMQ ${baseline.toFixed(0)} jobs/s; ${parts.join('; ')}`);
    }
  } finally {
    await portside.close();
    // The events queue of this run's prefix (the raw queues are obliterated as they finish).
    const cleanup = nodeRedis(redisUrl);
    const events = new Queue('events', { connection: cleanup.connection, prefix });
    await events.obliterate({ force: true }).catch((error: unknown) => console.error('could not delete the events queue:', error));
    await events.close();
    await cleanup.close();
    // Then whatever is left under this run's prefix (unique to the run): obliterate once left job hashes behind.
    const sweeper = createClient({ url: redisUrl });
    sweeper.on('error', () => undefined);
    await sweeper.connect();
    try {
      for await (const keys of sweeper.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) if (keys.length > 0) await sweeper.del(keys);
    } finally {
      await sweeper.close();
    }
  }
  const spread = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
  console.log(
    table([
      ['figure', 'value (median, min-max)', 'ratio to raw BullMQ', 'target', 'held'],
      ['raw BullMQ: add + no-op Worker', `${spread(raw, 0)} jobs/s`, '(baseline)', '', ''],
      ...cases.map((c) => [c.name, `${spread(c.values, 0)} events/s`, spread(c.ratios, 2), c === cases[0] ? '>= 0.5' : '', c === cases[0] ? (median(c.ratios) >= 0.5 ? 'yes' : 'NO') : '']),
    ]),
  );
  console.log(`  (worker concurrency ${concurrency}, as WORKER_CONCURRENCY; load average now ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
};
