import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { ListNotifications } from '../../../core/notifications/use-cases/list-notifications.js';
import type { MarkAllNotificationsRead } from '../../../core/notifications/use-cases/mark-all-notifications-read.js';
import type { MarkNotificationRead } from '../../../core/notifications/use-cases/mark-notification-read.js';
import type { Notification } from '../../../core/notifications/entities/notification.js';
import type { WatchNotifications } from '../../../core/notifications/use-cases/watch-notifications.js';
import { DependencyUnavailableError } from '../../../core/shared/entities/errors.js';
import type { Page } from '../../../core/shared/entities/pagination.js';
import { BooleanFromString, cursorQueryProps, EXAMPLE_UUID, nullable, Timestamp, Uuid } from '../codecs.js';
import { notificationJson, type NotificationStreams } from '../notification-stream.js';
import { cursorPageMeta, CursorPageMetaView, pageQueryOf } from '../page-view.js';
import { withExample } from '../schema-registry.js';
import { HANDLED, noContent, ok, route, type AnyRoute } from '../route.js';

export interface NotificationUseCases {
  readonly list: ListNotifications;
  readonly markRead: MarkNotificationRead;
  readonly markAllRead: MarkAllNotificationsRead;
  readonly watch: WatchNotifications;
}

const NotificationView = t.type({
  id: Uuid,
  kind: withExample(t.string, 'schedule.booked'),
  title: withExample(t.string, 'Your slot was booked'),
  body: withExample(t.string, 'Ada Lovelace booked your slot of 4 March 2030, 09:00 UTC'),
  data: withExample(t.UnknownRecord, { schedule_id: EXAMPLE_UUID }),
  created_at: Timestamp,
  read_at: nullable(Timestamp),
});

const ListQuery = t.partial({ ...cursorQueryProps, unread: BooleanFromString });
const IdParams = t.type({ id: t.string });

const pageView = (p: Page<Notification>, fromCursor: boolean) => ({ items: p.items.map(notificationJson), meta: cursorPageMeta(p, fromCursor) });

export const notificationRoutes = (uc: NotificationUseCases, streams: NotificationStreams): AnyRoute[] => [
  route({
    method: 'get',
    path: '/notifications',
    summary: 'List the caller\'s notifications, newest first',
    description: '`unread=true` keeps those not read yet. Page with `page`/`size`, or pass `meta.next_cursor` back as `cursor`.',
    tags: ['notifications'],
    auth: 'bearer',
    query: ListQuery,
    responses: { 200: { description: 'A page of notifications', data: t.type({ items: t.array(NotificationView), meta: CursorPageMetaView }) } },
    handler: async ({ actor, query }) => {
      const result = await uc.list.execute(actor, { unreadOnly: query.unread ?? false, page: pageQueryOf(query) });
      return E.map((p: Page<Notification>) => ok(pageView(p, query.cursor !== undefined)))(result);
    },
  }),
  route({
    method: 'post',
    path: '/notifications/read-all',
    summary: 'Mark every notification of the caller read',
    tags: ['notifications'],
    auth: 'bearer',
    responses: { 204: { description: 'All read' } },
    handler: async ({ actor }) => E.map(() => noContent())(await uc.markAllRead.execute(actor)),
  }),
  route({
    method: 'post',
    path: '/notifications/:id/read',
    summary: 'Mark one notification read',
    description: 'Marking one already read keeps its first read time.',
    tags: ['notifications'],
    auth: 'bearer',
    params: IdParams,
    responses: { 204: { description: 'Read' }, 404: { description: 'No such notification, or not the caller\'s' } },
    handler: async ({ actor, params }) => E.map(() => noContent())(await uc.markRead.execute(actor, params.id)),
  }),
  route({
    method: 'get',
    path: '/notifications/stream',
    summary: 'Live notifications (Server-Sent Events)',
    description:
      'A `text/event-stream`: each new notification of the caller is an event `notification` whose `id:` is the notification id and ' +
      'whose `data:` is the notification as JSON; comment lines (`: heartbeat`) keep the connection alive. Send the last id received ' +
      'as `Last-Event-ID` when reconnecting to get exactly what came after it. Authenticate with the bearer header (a fetch-based ' +
      'SSE client). A few streams per user at once; more get 429. See docs/notifications-and-audit.md.',
    tags: ['notifications'],
    auth: 'bearer',
    headers: [{ name: 'Last-Event-ID', description: 'Resume after this notification id (the last `id:` received).' }],
    responses: {
      200: { description: 'The event stream', contentType: 'text/event-stream' },
      422: { description: 'Last-Event-ID is not a notification id' },
      429: { description: 'Too many open streams for this user' },
    },
    handler: async ({ actor, req, res }) => {
      if (!streams.accepting) throw new DependencyUnavailableError('notification stream');
      let wake: () => void = () => undefined;
      const header = req.get('last-event-id')?.trim();
      const watch = await uc.watch.execute(actor, { lastEventId: header === '' ? undefined : header, onWake: () => wake() });
      if (E.isLeft(watch)) return watch;
      wake = streams.serve(res, watch.right);
      return E.right(HANDLED);
    },
  }),
];
