import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { forbidden, invalidField, type DomainError } from '../../shared/entities/errors.js';
import { pageQueryError, type Page, type PageQuery } from '../../shared/entities/pagination.js';
import type { AuditEvent } from '../entities/audit-event.js';
import { AUDIT_KEYSET, AUDIT_SORT, type AuditFilter, type AuditLog } from '../ports/audit-log.js';

export interface ListAuditEventsQuery extends AuditFilter {
  readonly page: PageQuery;
}

/** The audit trail, newest first: administrators only. */
export class ListAuditEvents {
  constructor(private readonly log: AuditLog) {}

  async execute(actor: Actor, query: ListAuditEventsQuery): Promise<E.Either<DomainError, Page<AuditEvent>>> {
    if (!actor.isAdmin) return E.left(forbidden('Administrator only'));
    const invalid = pageQueryError(query.page, AUDIT_SORT, AUDIT_KEYSET);
    if (invalid !== null) return E.left(invalid);
    if (query.from !== undefined && query.to !== undefined && query.from.getTime() > query.to.getTime()) {
      return E.left(invalidField('to', 'must not be before from'));
    }
    const { type, actorId, from, to } = query;
    return this.log.list({ type, actorId: actorId?.toLowerCase(), from, to }, query.page);
  }
}
