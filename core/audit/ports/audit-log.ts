import type { Either } from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { KeysetKeys, Page, PageQuery, Sort } from '../../shared/entities/pagination.js';
import type { AuditEvent } from '../entities/audit-event.js';

export interface AuditFilter {
  readonly type?: string | undefined;
  readonly actorId?: string | undefined;
  /** Inclusive lower bound on `occurredAt`. */
  readonly from?: Date | undefined;
  /** Exclusive upper bound on `occurredAt`. */
  readonly to?: Date | undefined;
}

export type AuditSortField = 'occurred_at';

/** The one order the trail is read in: newest first (then id, descending). */
export const AUDIT_SORT: Sort<AuditSortField> = { field: 'occurred_at', direction: 'desc' };

export const AUDIT_KEYSET: KeysetKeys<AuditEvent, AuditSortField> = {
  occurred_at: { kind: 'time', valueOf: (e) => e.occurredAt.toISOString() },
};

/** Where the audit trail is kept. Entries are never changed once written. */
export interface AuditLog {
  /** Stores the event unless one with its id is already there; true when it was new. */
  record(event: AuditEvent): Promise<boolean>;
  /**
   * Matching entries ordered by AUDIT_SORT, keyset-paged like every list (a cursor not made for
   * this list is Left(Validation) on `cursor`).
   */
  list(filter: AuditFilter, page: PageQuery): Promise<Either<DomainError, Page<AuditEvent>>>;
  /** Retention: removes the entries that occurred before `before`; returns how many. */
  purgeBefore(before: Date): Promise<number>;
}
