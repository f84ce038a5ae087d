import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { BullmqEventConsumer, BullmqEventPublisher } from '../../adapters/bullmq/bullmq-events.js';
import { closeDatabase, openPostgres as openPostgresAdapter, type PostgresDatabase } from '../../adapters/postgres/database.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { PostgresOutboxQueue } from '../../adapters/postgres/postgres-outbox-queue.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { DeliverOutboxEvents, DEFAULT_RELAY_SETTINGS } from '../../core/shared/use-cases/deliver-outbox-events.js';
import { DispatchEvent } from '../../core/shared/use-cases/dispatch-event.js';
import type { EventHandler } from '../../core/shared/ports/event-handler.js';
import { anEvent } from '../contracts/outbox-queue.contract.js';
import { aPublishedEvent } from '../contracts/event-publisher.contract.js';
import { createServerDatabase, openRedis, type TestRedis } from '../support/databases.js';
import { testBullmqSettings, waitFor } from '../support/events.js';
import { POSTGRES_URL, requireService } from '../support/services.js';
import { silentLogger } from '../support/routes-app.js';

/** Starts the crash-test worker and resolves once it printed `ready`; `applied` resolves with the first event it applied. */
const startChild = async (mode: 'bullmq' | 'outbox', databaseUrl: string, prefix: string) => {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'tests/support/event-worker-child.ts', mode, databaseUrl, prefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let onLine: (line: string) => void = () => undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      onLine(out.slice(0, i));
      out = out.slice(i + 1);
    }
  });
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  onLine = (line) => {
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.match.test(line)) w.resolve(line);
      else waiters.push(w);
    }
  };
  const waitLine = (match: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => match.test(l));
      if (seen) return resolve(seen);
      waiters.push({ match, resolve });
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before printing ${match}`)));
    });
  await waitLine(/^ready$/);
  return {
    applied: () => waitLine(/^applied /).then((l) => l.slice('applied '.length)),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  };
};

describe('a worker killed mid-event', function () {
  this.timeout(180_000);
  let server: { url: string; drop(): Promise<void> } | undefined;
  let db: PostgresDatabase;
  before(async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    server = await createServerDatabase(POSTGRES_URL, 'portside_crash');
    db = openPostgresAdapter({ url: server.url, poolMax: 4 });
    await migrateUp(db.sequelize);
    await db.sequelize.query('CREATE TABLE test_effects (event_id uuid PRIMARY KEY, applied_by text NOT NULL)');
  });
  after(async () => {
    if (db) await closeDatabase(db);
    await server?.drop();
  });

  /** The same idempotent effect as the child's, counting how often it runs here. */
  const survivorHandler = () => {
    const calls: string[] = [];
    const handler: EventHandler = {
      name: 'effect',
      eventTypes: '*',
      async handle(event) {
        calls.push(event.id);
        await db.sequelize.query('INSERT INTO test_effects (event_id, applied_by) VALUES (:id, :by) ON CONFLICT DO NOTHING', {
          replacements: { id: event.id, by: 'survivor' },
        });
      },
    };
    return { calls, handler };
  };

  const effectsOf = async (id: string) =>
    (await db.sequelize.query('SELECT applied_by FROM test_effects WHERE event_id = :id', { replacements: { id } }))[0];

  it('BullMQ: the stalled job completes on another worker and the effect is applied once', async function () {
    const redis: TestRedis = await openRedis(this);
    const settings = testBullmqSettings(redis);
    const publisher = new BullmqEventPublisher(settings);
    const child = await startChild('bullmq', server!.url, settings.prefix);
    let survivor: BullmqEventConsumer | undefined;
    try {
      const event = aPublishedEvent('record.created');
      await publisher.publish(event);
      expect(await child.applied()).to.equal(event.id);
      await child.kill();
      const { calls, handler } = survivorHandler();
      const dispatch = new DispatchEvent(() => [handler], silentLogger);
      survivor = new BullmqEventConsumer(settings, (e) => dispatch.execute(e), {
        concurrency: 1,
        lockDurationMs: 1_000,
        stalledIntervalMs: 500,
        onError: () => undefined,
      });
      survivor.start();
      await waitFor(async () => (await publisher.counts())['completed'] === 1, 'the stalled job to complete elsewhere', 60_000);
      expect(calls).to.deep.equal([event.id]);
      expect((await effectsOf(event.id)).length).to.equal(1);
    } finally {
      await child.kill();
      await survivor?.close();
      await publisher.close();
      await redis.close();
    }
  });

  it('in-process (outbox) transport: another relay takes the event when the lease ends, the effect applied once', async () => {
    const event = anEvent(new Date());
    await new PostgresUnitOfWork(db).run(async (scope) => {
      await scope.events.record(event);
      return E.right(undefined);
    });
    const child = await startChild('outbox', server!.url, '');
    try {
      expect(await child.applied()).to.equal(event.id);
      await child.kill();
      const { calls, handler } = survivorHandler();
      const relay = new DeliverOutboxEvents(
        new PostgresOutboxQueue(db),
        new DispatchEvent(() => [handler], silentLogger),
        { now: () => new Date() },
        silentLogger,
        DEFAULT_RELAY_SETTINGS,
      );
      await waitFor(async () => (await relay.execute()).delivered === 1, 'the lease to run out and the event to be delivered', 60_000);
      expect(calls).to.deep.equal([event.id]);
      expect((await effectsOf(event.id)).length).to.equal(1);
      const [rows] = await db.sequelize.query('SELECT attempts, published_at IS NOT NULL AS delivered FROM outbox_events WHERE id = :id', {
        replacements: { id: event.id },
      });
      expect(rows).to.deep.equal([{ attempts: 2, delivered: true }]);
    } finally {
      await child.kill();
    }
  });
});
