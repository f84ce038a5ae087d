import type { Container } from 'inversify';
import { NotificationStreams } from '../../adapters/http/notification-stream.js';
import { notificationRoutes } from '../../adapters/http/routes/notifications.js';
import { MemoryNotificationRepository } from '../../adapters/memory/memory-notification-repository.js';
import { PostgresNotificationBus } from '../../adapters/postgres/postgres-notification-bus.js';
import { PostgresNotificationRepository } from '../../adapters/postgres/postgres-notification-repository.js';
import { InProcessNotificationBus } from '../../adapters/system/in-process-notification-bus.js';
import { AccountNotificationRule } from '../../core/identity/rules/account-notification-rule.js';
import { ListNotifications } from '../../core/notifications/use-cases/list-notifications.js';
import { MarkAllNotificationsRead } from '../../core/notifications/use-cases/mark-all-notifications-read.js';
import { MarkNotificationRead } from '../../core/notifications/use-cases/mark-notification-read.js';
import type { NotificationBus } from '../../core/notifications/ports/notification-bus.js';
import { NotificationHandler } from '../../core/notifications/use-cases/notification-handler.js';
import type { NotificationRepository } from '../../core/notifications/ports/notification-repository.js';
import { WatchNotifications } from '../../core/notifications/use-cases/watch-notifications.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { ModuleBinder } from '../module.js';
import { TOKENS, token } from '../tokens.js';

const moduleToken = <T>(name: string) => token<T>(`notifications.${name}`);

export const NOTIFICATIONS = {
  Repository: moduleToken<NotificationRepository>('Repository'),
  Bus: moduleToken<NotificationBus>('Bus'),
  Streams: moduleToken<NotificationStreams>('Streams'),
  Handler: moduleToken<NotificationHandler>('Handler'),
  ListNotifications: moduleToken<ListNotifications>('ListNotifications'),
  MarkNotificationRead: moduleToken<MarkNotificationRead>('MarkNotificationRead'),
  MarkAllNotificationsRead: moduleToken<MarkAllNotificationsRead>('MarkAllNotificationsRead'),
  WatchNotifications: moduleToken<WatchNotifications>('WatchNotifications'),
};

/**
 * Notifications: the repository and the bus that carries "committed" across processes (LISTEN/
 * NOTIFY on a Postgres server, in-process on the embedded engine and in memory, which run as one
 * process), the handler that applies the multi-bound rules, and the routes with the SSE stream.
 */
export const bindNotifications: ModuleBinder = async ({ container, config, infra, logger }) => {
  const db = infra.database;
  let bus: NotificationBus;
  let repository: NotificationRepository;
  if (db && config.adapters.database === 'postgres' && config.databaseUrl) {
    const listening = new PostgresNotificationBus({ url: config.databaseUrl, logger });
    infra.onClose(() => listening.close());
    await listening.start();
    bus = listening;
    repository = new PostgresNotificationRepository(db, { kind: 'pg_notify' });
  } else {
    const local = new InProcessNotificationBus();
    bus = local;
    repository = db ? new PostgresNotificationRepository(db, { kind: 'after-commit', announce: local.announce }) : new MemoryNotificationRepository(local.announce);
  }
  container.bind(NOTIFICATIONS.Repository).toConstantValue(repository);
  const days = config.notifications.readRetentionDays;
  if (days > 0) {
    infra.maintenance.push({ name: 'old read notifications', run: (now) => repository.purgeReadBefore(new Date(now.getTime() - days * 86_400_000)) });
  }
  container.bind(NOTIFICATIONS.Bus).toConstantValue(bus);

  const streams = new NotificationStreams({ heartbeatMs: config.notifications.heartbeatSeconds * 1000 }, logger);
  // Registered after the bus: closed before it (and before the database) on shutdown.
  infra.onClose(async () => streams.closeAll());
  container.bind(NOTIFICATIONS.Streams).toConstantValue(streams);

  // The identity module's rule; other modules bind theirs to the same token.
  container.bind(TOKENS.NotificationRule).toConstantValue(new AccountNotificationRule());
  container
    .bind(NOTIFICATIONS.Handler)
    .toDynamicValue((ctx) => new NotificationHandler(ctx.getAll(TOKENS.NotificationRule), repository, ctx.get<IdGenerator>(TOKENS.IdGenerator), ctx.get<Clock>(TOKENS.Clock)));
  container.bind(TOKENS.EventHandler).toResolvedValue((handler: NotificationHandler) => handler, [NOTIFICATIONS.Handler]);

  container.bind(NOTIFICATIONS.ListNotifications).toConstantValue(new ListNotifications(repository));
  container.bind(NOTIFICATIONS.MarkNotificationRead).toResolvedValue((clock: Clock) => new MarkNotificationRead(repository, clock), [TOKENS.Clock]);
  container.bind(NOTIFICATIONS.MarkAllNotificationsRead).toResolvedValue((clock: Clock) => new MarkAllNotificationsRead(repository, clock), [TOKENS.Clock]);
  container.bind(NOTIFICATIONS.WatchNotifications).toConstantValue(new WatchNotifications(repository, bus, config.notifications.maxStreamsPerUser));
  container
    .bind(TOKENS.Routes)
    .toResolvedValue(
      (list: ListNotifications, markRead: MarkNotificationRead, markAllRead: MarkAllNotificationsRead, watch: WatchNotifications) =>
        notificationRoutes({ list, markRead, markAllRead, watch }, streams),
      [NOTIFICATIONS.ListNotifications, NOTIFICATIONS.MarkNotificationRead, NOTIFICATIONS.MarkAllNotificationsRead, NOTIFICATIONS.WatchNotifications],
    );
};

/** Ends every open notification stream (server shutdown: before waiting for connections to finish). */
export const closeNotificationStreams = (container: Container): void => {
  if (container.isBound(NOTIFICATIONS.Streams)) container.get(NOTIFICATIONS.Streams).closeAll();
};
