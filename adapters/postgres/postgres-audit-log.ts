import type * as E from 'fp-ts/lib/Either.js';
import { QueryTypes } from 'sequelize';
import type { AuditEvent } from '../../core/audit/entities/audit-event.js';
import { AUDIT_KEYSET, AUDIT_SORT, type AuditFilter, type AuditLog, type AuditSortField } from '../../core/audit/ports/audit-log.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery } from '../../core/shared/entities/pagination.js';
import { guarded, type PostgresDatabase } from './database.js';
import { listKeyset, type KeysetTable } from './keyset-page.js';
import { purgeInBatches } from './purge-in-batches.js';

interface AuditEventRow {
  id: string;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  request_id: string | null;
  occurred_at: Date | string;
  data: Record<string, unknown>;
}

const toEvent = (row: AuditEventRow): AuditEvent => ({
  id: row.id,
  type: row.type,
  actorId: row.actor_id,
  subjectId: row.subject_id,
  requestId: row.request_id,
  occurredAt: new Date(row.occurred_at),
  data: row.data,
});

// The sort key as the `(occurred_at, id)` indexes of migrations/0012-audit-events.ts spell it.
const AUDIT_EVENTS: KeysetTable<AuditEventRow, AuditEvent, AuditSortField> = {
  table: 'audit_events',
  sql: { occurred_at: { expression: 'occurred_at', type: 'timestamptz' } },
  keys: AUDIT_KEYSET,
  toItem: toEvent,
};

/** The audit trail in `audit_events`; a redelivered event hits the primary key and is skipped. */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly db: PostgresDatabase) {}

  async record(event: AuditEvent): Promise<boolean> {
    const rows = await guarded(() =>
      this.db.sequelize.query<{ id: string }>(
        `INSERT INTO audit_events (id, type, actor_id, subject_id, request_id, occurred_at, data)
         VALUES ($id, $type, $actorId, $subjectId, $requestId, $occurredAt, $data::jsonb)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        {
          type: QueryTypes.SELECT,
          bind: {
            id: event.id,
            type: event.type,
            actorId: event.actorId,
            subjectId: event.subjectId,
            requestId: event.requestId,
            occurredAt: event.occurredAt.toISOString(),
            data: JSON.stringify(event.data),
          },
        },
      ),
    );
    return rows.length === 1;
  }

  async list(filter: AuditFilter, page: PageQuery): Promise<E.Either<DomainError, Page<AuditEvent>>> {
    const where = ['TRUE'];
    const bind: Record<string, unknown> = {};
    if (filter.type !== undefined) {
      where.push('type = $type');
      bind['type'] = filter.type;
    }
    if (filter.actorId !== undefined) {
      where.push('actor_id = $actorId::uuid');
      bind['actorId'] = filter.actorId;
    }
    if (filter.from !== undefined) {
      where.push('occurred_at >= $from::timestamptz');
      bind['from'] = filter.from.toISOString();
    }
    if (filter.to !== undefined) {
      where.push('occurred_at < $to::timestamptz');
      bind['to'] = filter.to.toISOString();
    }
    return listKeyset(this.db, undefined, AUDIT_EVENTS, { where, bind }, AUDIT_SORT, page);
  }

  /** In batches along the `(occurred_at, id)` index. */
  purgeBefore(before: Date): Promise<number> {
    return purgeInBatches(this.db, 'audit_events', 'occurred_at < $before::timestamptz', { before: before.toISOString() });
  }
}
