import { v7 as uuidv7 } from 'uuid';
import { NotificationStreams } from '../../adapters/http/notification-stream.js';
import { notificationRoutes } from '../../adapters/http/routes/notifications.js';
import { MemoryNotificationRepository } from '../../adapters/memory/memory-notification-repository.js';
import { InProcessNotificationBus } from '../../adapters/system/in-process-notification-bus.js';
import { AccountNotificationRule } from '../../core/identity/rules/account-notification-rule.js';
import { ListNotifications } from '../../core/notifications/use-cases/list-notifications.js';
import { MarkAllNotificationsRead } from '../../core/notifications/use-cases/mark-all-notifications-read.js';
import { MarkNotificationRead } from '../../core/notifications/use-cases/mark-notification-read.js';
import { NotificationHandler } from '../../core/notifications/use-cases/notification-handler.js';
import { WatchNotifications } from '../../core/notifications/use-cases/watch-notifications.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import type { PublishedEvent } from '../../core/shared/ports/event-handler.js';
import { anActor } from '../support/builders.js';
import { ManualClock } from '../support/manual-clock.js';
import { namedActors, routesApp, silentLogger } from '../support/routes-app.js';

export const passwordChanged = (userId: string): PublishedEvent => ({
  id: uuidv7(),
  type: 'password.changed',
  occurredAt: new Date(),
  actorId: userId,
  subjectId: userId,
  data: {},
  requestId: 'req-test',
});

/** The notification routes on memory adapters, with the real handler and account rule; tokens are plain names. */
export const notificationsApp = (options: { heartbeatMs?: number; maxStreamsPerUser?: number; batchSize?: number } = {}) => {
  const bus = new InProcessNotificationBus();
  const repo = new MemoryNotificationRepository(bus.announce);
  const clock = new ManualClock();
  const ids = { next: () => uuidv7() };
  const watch = new WatchNotifications(repo, bus, options.maxStreamsPerUser ?? 3);
  const streams = new NotificationStreams({ heartbeatMs: options.heartbeatMs ?? 60_000, ...(options.batchSize ? { batchSize: options.batchSize } : {}) }, silentLogger);
  const handler = new NotificationHandler([new AccountNotificationRule()], repo, ids, clock);
  const actors = new Map<string, Actor>([
    ['alice', anActor()],
    ['bob', anActor()],
  ]);
  const routes = notificationRoutes(
    { list: new ListNotifications(repo), markRead: new MarkNotificationRead(repo, clock), markAllRead: new MarkAllNotificationsRead(repo, clock), watch },
    streams,
  );
  const app = routesApp(routes, { authenticate: namedActors(actors) });
  const actor = (name: 'alice' | 'bob') => actors.get(name)!;
  /** Has the handler notify `name` (as the relay would deliver a password change). */
  const notify = async (name: 'alice' | 'bob') => {
    const event = passwordChanged(actor(name).userId);
    await handler.handle(event);
    return event;
  };
  return { app, bus, repo, watch, streams, handler, clock, actor, notify };
};
