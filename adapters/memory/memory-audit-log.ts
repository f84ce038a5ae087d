import type * as E from 'fp-ts/lib/Either.js';
import type { AuditEvent } from '../../core/audit/entities/audit-event.js';
import { AUDIT_KEYSET, AUDIT_SORT, type AuditFilter, type AuditLog } from '../../core/audit/ports/audit-log.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery } from '../../core/shared/entities/pagination.js';
import { keysetPage } from './keyset-page.js';

/** The audit trail in process memory, ordered and paged as the Postgres adapter does. */
export class MemoryAuditLog implements AuditLog {
  private readonly rows = new Map<string, AuditEvent>();

  async record(event: AuditEvent): Promise<boolean> {
    if (this.rows.has(event.id)) return false;
    this.rows.set(event.id, { ...event, data: structuredClone(event.data) });
    return true;
  }

  async list(filter: AuditFilter, page: PageQuery): Promise<E.Either<DomainError, Page<AuditEvent>>> {
    const matching = [...this.rows.values()].filter(
      (e) =>
        (filter.type === undefined || e.type === filter.type) &&
        (filter.actorId === undefined || e.actorId === filter.actorId) &&
        (filter.from === undefined || e.occurredAt.getTime() >= filter.from.getTime()) &&
        (filter.to === undefined || e.occurredAt.getTime() < filter.to.getTime()),
    );
    return keysetPage(matching, AUDIT_KEYSET, AUDIT_SORT, page);
  }

  async purgeBefore(before: Date): Promise<number> {
    let removed = 0;
    for (const [id, e] of this.rows) {
      if (e.occurredAt.getTime() < before.getTime()) {
        this.rows.delete(id);
        removed++;
      }
    }
    return removed;
  }
}
