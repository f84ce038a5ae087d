import pg from 'pg';
import type { NotificationSignal } from '../../core/notifications/ports/notification-bus.js';
import { MemoryNotificationRepository } from '../../adapters/memory/memory-notification-repository.js';
import { NOTIFICATION_CHANNEL, PostgresNotificationRepository } from '../../adapters/postgres/postgres-notification-repository.js';
import { parseSignal } from '../../adapters/postgres/postgres-notification-bus.js';
import { createServerDatabase, openPglite } from '../support/databases.js';
import { POSTGRES_URL, requireService } from '../support/services.js';
import { closeDatabase, openPostgres } from '../../adapters/postgres/database.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { notificationRepositoryContract } from './notification-repository.contract.js';

notificationRepositoryContract('memory', async () => {
  const heard: NotificationSignal[] = [];
  return { repo: new MemoryNotificationRepository((s) => heard.push(...s)), announced: async () => heard };
});

notificationRepositoryContract('PGlite (announced after commit)', async () => {
  const t = await openPglite();
  const heard: NotificationSignal[] = [];
  const repo = new PostgresNotificationRepository(t.db, { kind: 'after-commit', announce: (s) => heard.push(...s) });
  return { repo, announced: async () => heard, close: () => t.close() };
});

notificationRepositoryContract('PostgreSQL (pg_notify on commit)', async (ctx) => {
  await requireService(ctx, 'PostgreSQL', POSTGRES_URL);
  const server = await createServerDatabase(POSTGRES_URL, 'portside_t');
  const db = openPostgres({ url: server.url, poolMax: 4 });
  await migrateUp(db.sequelize);
  // A listener of its own, as another replica would be.
  const listener = new pg.Client({ connectionString: server.url });
  await listener.connect();
  const heard: NotificationSignal[] = [];
  listener.on('notification', (m) => {
    const s = parseSignal(m.payload);
    if (s) heard.push(s);
  });
  await listener.query(`LISTEN ${NOTIFICATION_CHANNEL}`);
  // A round trip on the listening connection: every notification committed before it has arrived.
  const announced = async () => {
    await listener.query('SELECT 1');
    return heard;
  };
  return {
    repo: new PostgresNotificationRepository(db, { kind: 'pg_notify' }),
    announced,
    async close() {
      await listener.end();
      await closeDatabase(db);
      await server.drop();
    },
  };
});
