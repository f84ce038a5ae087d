import type * as E from 'fp-ts/lib/Either.js';
import { QueryTypes, type Transaction } from 'sequelize';
import { idAfter, type NewNotification, type Notification } from '../../core/notifications/entities/notification.js';
import type { NotificationSignal } from '../../core/notifications/ports/notification-bus.js';
import {
  NOTIFICATION_KEYSET,
  NOTIFICATION_SORT,
  type NotificationFilter,
  type NotificationRepository,
  type NotificationSortField,
} from '../../core/notifications/ports/notification-repository.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { Page, PageQuery } from '../../core/shared/entities/pagination.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';
import { listKeyset, type KeysetTable } from './keyset-page.js';
import { purgeInBatches } from './purge-in-batches.js';

/** The LISTEN/NOTIFY channel PostgresNotificationBus listens on. */
export const NOTIFICATION_CHANNEL = 'portside_notifications';

/** `recipient:id`, well under NOTIFY's 8000-byte payload limit. */
export const signalPayload = (s: NotificationSignal): string => `${s.recipientId}:${s.notificationId}`;

/**
 * How committed inserts are announced: `pg_notify` in the inserting transaction (Postgres
 * delivers it to every listener, in any process, when the transaction commits), or a function
 * called after the commit (the in-process bus, for the embedded engine, which has one process).
 */
export type NotificationAnnouncement = { readonly kind: 'pg_notify' } | { readonly kind: 'after-commit'; readonly announce: (signals: readonly NotificationSignal[]) => void };

interface NotificationRow {
  id: string;
  recipient_id: string;
  event_id: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  created_at: Date | string;
  read_at: Date | string | null;
}

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  recipientId: row.recipient_id,
  eventId: row.event_id,
  kind: row.kind,
  title: row.title,
  body: row.body,
  data: row.data,
  createdAt: new Date(row.created_at),
  readAt: row.read_at === null ? null : new Date(row.read_at),
});

const NOTIFICATIONS: KeysetTable<NotificationRow, Notification, NotificationSortField> = {
  table: 'notifications',
  sql: { created_at: { expression: 'created_at', type: 'timestamptz' } },
  keys: NOTIFICATION_KEYSET,
  toItem: toNotification,
};

export class PostgresNotificationRepository implements NotificationRepository {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly announcement: NotificationAnnouncement,
  ) {}

  async insertAll(notifications: readonly NewNotification[], ids: IdGenerator): Promise<readonly Notification[]> {
    if (notifications.length === 0) return [];
    const stored = await guarded(() => this.db.sequelize.transaction((transaction) => this.insertIn(transaction, notifications, ids)));
    if (stored.length > 0 && this.announcement.kind === 'after-commit') {
      this.announcement.announce(stored.map((n) => ({ recipientId: n.recipientId, notificationId: n.id })));
    }
    return stored;
  }

  private async insertIn(transaction: Transaction, notifications: readonly NewNotification[], ids: IdGenerator): Promise<Notification[]> {
    const query = <R extends object>(sql: string, bind: Record<string, unknown>) =>
      this.db.sequelize.query<R>(sql, { type: QueryTypes.SELECT, transaction, bind });
    // One inserter per recipient at a time, in a fixed order (no deadlock between two events
    // for the same people): an id made under the lock follows every id already committed.
    const recipients = [...new Set(notifications.map((n) => n.recipientId))].sort();
    for (const recipient of recipients) {
      await query(`SELECT pg_advisory_xact_lock(hashtext($key))::text AS locked`, { key: `portside.notifications:${recipient}` });
    }
    const stored: Notification[] = [];
    for (const n of notifications) {
      const [latest] = await query<{ id: string }>(
        'SELECT id FROM notifications WHERE recipient_id = $recipient::uuid ORDER BY id DESC LIMIT 1',
        { recipient: n.recipientId },
      );
      const id = idAfter(ids.next(), latest?.id ?? null);
      const [row] = await query<NotificationRow>(
        `INSERT INTO notifications (id, recipient_id, event_id, kind, title, body, data, created_at)
         VALUES ($id::uuid, $recipient::uuid, $event::uuid, $kind, $title, $body, $data::jsonb, $createdAt::timestamptz)
         ON CONFLICT (event_id, recipient_id) DO NOTHING RETURNING *`,
        {
          id,
          recipient: n.recipientId,
          event: n.eventId,
          kind: n.kind,
          title: n.title,
          body: n.body,
          data: JSON.stringify(n.data),
          createdAt: n.createdAt.toISOString(),
        },
      );
      if (!row) continue;
      stored.push(toNotification(row));
      if (this.announcement.kind === 'pg_notify') {
        await query(`SELECT pg_notify($channel, $payload)::text AS sent`, {
          channel: NOTIFICATION_CHANNEL,
          payload: signalPayload({ recipientId: row.recipient_id, notificationId: row.id }),
        });
      }
    }
    return stored;
  }

  async listAfter(recipientId: string, afterId: string | null, limit: number): Promise<readonly Notification[]> {
    const rows = await guarded(() =>
      this.db.sequelize.query<NotificationRow>(
        afterId === null
          ? 'SELECT * FROM notifications WHERE recipient_id = $recipient::uuid ORDER BY id LIMIT $limit'
          : 'SELECT * FROM notifications WHERE recipient_id = $recipient::uuid AND id > $after::uuid ORDER BY id LIMIT $limit',
        { type: QueryTypes.SELECT, bind: { recipient: recipientId, limit, ...(afterId === null ? {} : { after: afterId }) } },
      ),
    );
    return rows.map(toNotification);
  }

  async latestId(recipientId: string): Promise<string | null> {
    const [row] = await guarded(() =>
      this.db.sequelize.query<{ id: string }>('SELECT id FROM notifications WHERE recipient_id = $recipient::uuid ORDER BY id DESC LIMIT 1', {
        type: QueryTypes.SELECT,
        bind: { recipient: recipientId },
      }),
    );
    return row?.id ?? null;
  }

  async list(filter: NotificationFilter, page: PageQuery): Promise<E.Either<DomainError, Page<Notification>>> {
    const where = ['recipient_id = $recipient::uuid'];
    if (filter.unreadOnly) where.push('read_at IS NULL');
    return listKeyset(this.db, undefined, NOTIFICATIONS, { where, bind: { recipient: filter.recipientId } }, NOTIFICATION_SORT, page);
  }

  async markRead(recipientId: string, id: string, at: Date): Promise<boolean> {
    const rows = await guarded(() =>
      this.db.sequelize.query<{ id: string }>(
        `UPDATE notifications SET read_at = COALESCE(read_at, $at::timestamptz)
         WHERE id = $id::uuid AND recipient_id = $recipient::uuid RETURNING id`,
        { type: QueryTypes.SELECT, bind: { id, recipient: recipientId, at: at.toISOString() } },
      ),
    );
    return rows.length === 1;
  }

  async markAllRead(recipientId: string, at: Date): Promise<void> {
    await guarded(() =>
      this.db.sequelize.query('UPDATE notifications SET read_at = $at::timestamptz WHERE recipient_id = $recipient::uuid AND read_at IS NULL', {
        ...inTx(undefined),
        bind: { recipient: recipientId, at: at.toISOString() },
      }),
    );
  }

  /** In batches along the partial `read_at` index of migration 0014. */
  purgeReadBefore(before: Date): Promise<number> {
    return purgeInBatches(this.db, 'notifications', 'read_at IS NOT NULL AND read_at < $before::timestamptz', { before: before.toISOString() });
  }
}
