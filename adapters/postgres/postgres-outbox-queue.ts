import { QueryTypes } from 'sequelize';
import type { ClaimedEvent, OutboxQueue } from '../../core/shared/ports/outbox-queue.js';
import { guarded, type PostgresDatabase } from './database.js';

interface ClaimedRow {
  id: string;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  request_id: string | null;
  data: Record<string, unknown>;
  occurred_at: Date | string;
  attempts: number;
}

/**
 * `outbox_events` as the relays' queue. A claim is one short statement: it picks due rows with
 * FOR UPDATE SKIP LOCKED (so concurrent relays take disjoint batches instead of waiting on each
 * other) and pushes their `available_at` to the lease's end, then commits. Nothing is held open
 * while events are delivered, which matters on the embedded engine (one transaction at a time:
 * handlers write through their own units of work).
 */
export class PostgresOutboxQueue implements OutboxQueue {
  constructor(private readonly db: PostgresDatabase) {}

  async claim(limit: number, now: Date, leaseUntil: Date): Promise<readonly ClaimedEvent[]> {
    const rows = await guarded(() =>
      this.db.sequelize.query<ClaimedRow>(
        `WITH due AS (
           SELECT id FROM outbox_events
           WHERE published_at IS NULL AND given_up_at IS NULL
             AND (available_at IS NULL OR available_at <= :now)
           ORDER BY occurred_at, id
           LIMIT :limit
           FOR UPDATE SKIP LOCKED
         )
         UPDATE outbox_events o SET available_at = :leaseUntil, attempts = o.attempts + 1
         FROM due WHERE o.id = due.id
         RETURNING o.id, o.type, o.actor_id, o.subject_id, o.request_id, o.data, o.occurred_at, o.attempts`,
        { replacements: { now, leaseUntil, limit }, type: QueryTypes.SELECT },
      ),
    );
    return rows
      .map((r) => ({
        attempts: r.attempts,
        event: {
          id: r.id,
          type: r.type,
          actorId: r.actor_id,
          subjectId: r.subject_id,
          requestId: r.request_id,
          data: r.data,
          occurredAt: new Date(r.occurred_at),
        },
      }))
      .sort((a, b) => a.event.occurredAt.getTime() - b.event.occurredAt.getTime() || (a.event.id < b.event.id ? -1 : 1));
  }

  async markDelivered(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await guarded(() =>
      this.db.sequelize.query('UPDATE outbox_events SET published_at = :at, last_error = NULL WHERE id IN (:ids)', {
        replacements: { at, ids: [...ids] },
      }),
    );
  }

  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await guarded(() =>
      this.db.sequelize.query(
        retryAt
          ? 'UPDATE outbox_events SET last_error = :error, available_at = :retryAt WHERE id = :id AND published_at IS NULL'
          : 'UPDATE outbox_events SET last_error = :error, given_up_at = now() WHERE id = :id AND published_at IS NULL',
        { replacements: { id, error, retryAt } },
      ),
    );
  }

  async purgeDelivered(before: Date): Promise<number> {
    const [, result] = await guarded(() =>
      this.db.sequelize.query('DELETE FROM outbox_events WHERE published_at IS NOT NULL AND published_at < :before', {
        replacements: { before },
      }),
    );
    return (result as { rowCount?: number } | undefined)?.rowCount ?? 0;
  }
}
