/**
 * A worker process for the crash tests (tests/integration/worker-crash.test.ts): it handles events
 * with a handler that applies its effect (a row keyed by event id) and then hangs, as a worker
 * killed between the effect and the acknowledgement would. The parent kills it with SIGKILL.
 *   node --import tsx tests/support/event-worker-child.ts <bullmq|outbox> <database url> <redis prefix>
 */
import { BullmqEventConsumer } from '../../adapters/bullmq/bullmq-events.js';
import { openPostgres } from '../../adapters/postgres/database.js';
import { PostgresOutboxQueue } from '../../adapters/postgres/postgres-outbox-queue.js';
import { DeliverOutboxEvents, DEFAULT_RELAY_SETTINGS } from '../../core/shared/use-cases/deliver-outbox-events.js';
import { DispatchEvent } from '../../core/shared/use-cases/dispatch-event.js';
import type { EventHandler } from '../../core/shared/ports/event-handler.js';
import { REDIS_URL } from './services.js';
import { silentLogger } from './routes-app.js';

const [mode, databaseUrl, prefix] = process.argv.slice(2);
const db = openPostgres({ url: databaseUrl!, poolMax: 2 });

const handler: EventHandler = {
  name: 'effect',
  eventTypes: '*',
  async handle(event) {
    await db.sequelize.query('INSERT INTO test_effects (event_id, applied_by) VALUES (:id, :by) ON CONFLICT DO NOTHING', {
      replacements: { id: event.id, by: `pid ${process.pid}` },
    });
    process.stdout.write(`applied ${event.id}\n`);
    await new Promise<void>(() => undefined);
  },
};
const dispatch = new DispatchEvent(() => [handler], silentLogger);

if (mode === 'bullmq') {
  const consumer = new BullmqEventConsumer(
    { redisUrl: REDIS_URL, queueName: 'events', prefix: prefix!, attempts: 5, backoffMs: 20, completedAgeSeconds: 3600, keepCompleted: 100, failedAgeSeconds: 3600 },
    (e) => dispatch.execute(e),
    { concurrency: 1, lockDurationMs: 1_000, stalledIntervalMs: 500, onError: () => undefined },
  );
  consumer.start();
  await consumer.waitUntilReady();
  process.stdout.write('ready\n');
} else {
  const relay = new DeliverOutboxEvents(new PostgresOutboxQueue(db), dispatch, { now: () => new Date() }, silentLogger, {
    ...DEFAULT_RELAY_SETTINGS,
    leaseMs: 1_500,
  });
  process.stdout.write('ready\n');
  for (;;) {
    if ((await relay.execute()).claimed === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
