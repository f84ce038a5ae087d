/** A domain event as the audit trail keeps it: what happened, who did it, to what, from which request. */
export interface AuditEvent {
  /** The domain event's id: the trail holds each event once. */
  readonly id: string;
  readonly type: string;
  readonly actorId: string | null;
  readonly subjectId: string | null;
  readonly requestId: string | null;
  readonly occurredAt: Date;
  readonly data: Readonly<Record<string, unknown>>;
}
