import type { Transaction } from 'sequelize';
import type { DomainEvent, EventOutbox } from '../../core/shared/entities/events.js';
import { guarded, type PostgresDatabase } from './database.js';

/** Writes domain events into `outbox_events` inside the unit of work's transaction (never outside one). */
export class PostgresEventOutbox implements EventOutbox {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly transaction: Transaction,
    private readonly currentRequestId: () => string | null,
  ) {}

  async record(event: DomainEvent): Promise<void> {
    await guarded(() =>
      this.db.models.OutboxEvent.create(
        {
          id: event.id,
          type: event.type,
          actor_id: event.actorId,
          subject_id: event.subjectId,
          request_id: this.currentRequestId(),
          data: { ...event.data },
          occurred_at: event.occurredAt,
          published_at: null,
          attempts: 0,
        },
        { transaction: this.transaction },
      ),
    );
  }
}
