import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import request from 'supertest';
import { closeDatabase, openPostgres as openPostgresAdapter } from '../../adapters/postgres/database.js';
import { listenForOutboxEvents } from '../../adapters/postgres/outbox-listener.js';
import { PostgresOutboxQueue } from '../../adapters/postgres/postgres-outbox-queue.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { DeliverOutboxEvents, DEFAULT_RELAY_SETTINGS } from '../../core/shared/use-cases/deliver-outbox-events.js';
import type { PublishedEvent } from '../../core/shared/ports/event-handler.js';
import { startEventPipeline } from '../../composition/events.js';
import { TOKENS } from '../../composition/tokens.js';
import { anEvent } from '../contracts/outbox-queue.contract.js';
import { EffectHandler } from '../contracts/event-publisher.contract.js';
import { buildTestApp } from '../support/app.js';
import { createServerDatabase } from '../support/databases.js';
import { waitFor } from '../support/events.js';
import { POSTGRES_URL, REDIS_URL, requireService } from '../support/services.js';
import { openRedis } from '../support/databases.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { silentLogger } from '../support/routes-app.js';

const systemClock = { now: () => new Date() };

describe('event delivery on PostgreSQL', function () {
  this.timeout(120_000);
  let server: { url: string; drop(): Promise<void> } | undefined;
  before(async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    server = await createServerDatabase(POSTGRES_URL, 'portside_ev');
    const db = openPostgresAdapter({ url: server.url, poolMax: 2 });
    await migrateUp(db.sequelize);
    await closeDatabase(db);
  });
  after(async () => server?.drop());

  it('two relays with their own pools deliver each of 300 events exactly once', async () => {
    const dbs = [openPostgresAdapter({ url: server!.url, poolMax: 4 }), openPostgresAdapter({ url: server!.url, poolMax: 4 })];
    try {
      const uow = new PostgresUnitOfWork(dbs[0]!);
      const events = Array.from({ length: 300 }, (_, i) => anEvent(new Date(Date.UTC(2031, 0, 1, 0, 0, i))));
      for (let i = 0; i < events.length; i += 50) {
        await uow.run(async (scope) => {
          for (const e of events.slice(i, i + 50)) await scope.events.record(e);
          return E.right(undefined);
        });
      }
      const deliveries: string[][] = [[], []];
      const relays = dbs.map(
        (db, n) =>
          new DeliverOutboxEvents(
            new PostgresOutboxQueue(db),
            { publish: async (e: PublishedEvent) => void deliveries[n]!.push(e.id) },
            systemClock,
            silentLogger,
            { ...DEFAULT_RELAY_SETTINGS, batchSize: 7 },
          ),
      );
      const drain = async (relay: DeliverOutboxEvents) => {
        while ((await relay.execute()).claimed > 0);
      };
      await Promise.all(relays.map(drain));
      const all = deliveries.flat();
      expect(all).to.have.length(300);
      expect(new Set(all).size).to.equal(300);
      // Both took part (SKIP LOCKED hands them disjoint batches rather than serialising them).
      expect(deliveries[0]!.length).to.be.greaterThan(0);
      expect(deliveries[1]!.length).to.be.greaterThan(0);
      const [rows] = await dbs[0]!.sequelize.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL');
      expect(rows).to.deep.equal([{ n: 0 }]);
    } finally {
      await Promise.all(dbs.map(closeDatabase));
    }
  });

  it('wakes a LISTENing relay in another connection when an outbox insert commits, not before', async () => {
    const db = openPostgresAdapter({ url: server!.url, poolMax: 2 });
    let wakes = 0;
    let resolveWake: () => void = () => undefined;
    let listening: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const listener = listenForOutboxEvents(
      server!.url,
      () => {
        wakes += 1;
        // The first call is the catch-up wake on connect.
        if (wakes === 1) listening();
        else resolveWake();
      },
      () => undefined,
    );
    try {
      await ready;
      const woken = new Promise<void>((resolve) => (resolveWake = resolve));
      let insideBeforeCommit = -1;
      await new PostgresUnitOfWork(db).run(async (scope) => {
        await scope.events.record(anEvent(new Date()));
        await new Promise((resolve) => setTimeout(resolve, 50));
        insideBeforeCommit = wakes;
        return E.right(undefined);
      });
      await woken;
      expect(insideBeforeCommit).to.equal(1);
      expect(wakes).to.equal(2);
    } finally {
      await listener.close();
      await closeDatabase(db);
    }
  });

  it('on the services profile without Redis, an API request\'s event reaches a handler through the relay, with its request id', async () => {
    const t = await buildTestApp({ PROFILE: 'services', DATABASE_URL: server!.url, EVENTS_POLL_MS: '600000' }, { migrate: true });
    const handler = new EffectHandler('probe', ['user.registered']);
    t.container.bind(TOKENS.EventHandler).toConstantValue(handler);
    const pipeline = await startEventPipeline(t.container, 'api');
    try {
      const res = await request(t.app)
        .post('/api/v1/auth/register')
        .set('X-Request-ID', 'req-from-client-1')
        .send({ email: 'ev@example.com', username: 'eventful', password: 'a long enough passphrase 42' });
      expect(res.status).to.equal(201);
      // Woken by the commit (the poll is ten minutes away).
      await waitFor(async () => handler.effects.size === 1, 'the handler to see user.registered', 10_000);
      const [effect] = [...handler.effects.values()];
      expect(effect).to.deep.include({ type: 'user.registered', requestInScope: 'req-from-client-1' });
      expect(effect!.event.requestId).to.equal('req-from-client-1');
    } finally {
      await pipeline?.stop();
      await t.close();
    }
  });

  it('on the services profile with Redis, the API queues the event in BullMQ and a worker runs the handler, with the request id', async function () {
    const redis = await openRedis(this);
    const env = {
      PROFILE: 'services',
      DATABASE_URL: server!.url,
      REDIS_URL,
      QUEUE_PREFIX: redis.prefix.slice(0, -1),
      EVENTS_POLL_MS: '600000',
    };
    const api = await buildTestApp(env, { migrate: true });
    const worker = await buildTestApp(env);
    const handler = new EffectHandler('probe', ['user.registered']);
    worker.container.bind(TOKENS.EventHandler).toConstantValue(handler);
    const apiEvents = await startEventPipeline(api.container, 'api');
    const workerEvents = await startEventPipeline(worker.container, 'worker');
    try {
      const res = await request(api.app)
        .post('/api/v1/auth/register')
        .set('X-Request-ID', 'req-from-client-2')
        .send({ email: 'queued@example.com', username: 'queued', password: 'a long enough passphrase 42' });
      expect(res.status).to.equal(201);
      await waitFor(async () => handler.effects.size === 1, 'the worker to handle user.registered', 20_000);
      const [effect] = [...handler.effects.values()];
      expect(effect).to.deep.include({ type: 'user.registered', requestInScope: 'req-from-client-2' });
    } finally {
      await apiEvents?.stop();
      await workerEvents?.stop();
      await api.close();
      await worker.close();
      await redis.close();
    }
  });
});
