import type { EventHandler, PublishedEvent } from '../../shared/ports/event-handler.js';
import type { AuditLog } from '../ports/audit-log.js';

/** Records every committed domain event in the audit trail, once per event id however often it is delivered. */
export class AuditTrailHandler implements EventHandler {
  readonly name = 'audit-trail';
  readonly eventTypes = '*' as const;

  constructor(private readonly log: AuditLog) {}

  async handle(event: PublishedEvent): Promise<void> {
    await this.log.record({
      id: event.id,
      type: event.type,
      actorId: event.actorId,
      subjectId: event.subjectId,
      requestId: event.requestId,
      occurredAt: event.occurredAt,
      data: event.data,
    });
  }
}
