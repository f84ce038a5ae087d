import { MemoryEventOutbox } from '../../adapters/memory/memory-event-outbox.js';
import { MemoryFileRepository } from '../../adapters/memory/memory-file-repository.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { MemoryRecordRepository } from '../../adapters/memory/memory-record-repository.js';
import { MemoryScheduleRepository } from '../../adapters/memory/memory-schedule-repository.js';
import { MemoryUnitOfWork } from '../../adapters/memory/memory-unit-of-work.js';
import { MemoryUserRepository } from '../../adapters/memory/memory-user-repository.js';
import { PostgresRecordRepository } from '../../adapters/postgres/postgres-record-repository.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';
import { unitOfWorkContracts, type KeptEvent, type UnitOfWorkFixture } from './unit-of-work.contract.js';

const memory = async (): Promise<UnitOfWorkFixture> => {
  let requestId: string | null = null;
  const records = new MemoryRecordRepository();
  const events = new MemoryEventOutbox(() => requestId);
  const uow = new MemoryUnitOfWork({
    schedules: new MemoryScheduleRepository(),
    users: new MemoryUserRepository(),
    records,
    files: new MemoryFileRepository(),
    events,
    idempotency: new MemoryIdempotencyStore().transactional,
  });
  return {
    uow,
    records,
    outboxEvent: async (id) => events.all().find((e) => e.id === id) ?? null,
    setRequestId: (id) => {
      requestId = id;
    },
  };
};

/** Reads `outbox_events` with plain SQL, so the check does not lean on the adapter it checks. */
const postgres = (t: TestDatabase): UnitOfWorkFixture => {
  let requestId: string | null = null;
  return {
    uow: new PostgresUnitOfWork(t.db, () => requestId),
    records: new PostgresRecordRepository(t.db),
    outboxEvent: async (id) => {
      const [rows] = (await t.db.sequelize.query(
        'SELECT id, type, actor_id, subject_id, request_id, data, occurred_at FROM outbox_events WHERE id = :id',
        { replacements: { id } },
      )) as [Record<string, unknown>[], unknown];
      const row = rows[0];
      if (!row) return null;
      const event: KeptEvent = {
        id: row['id'] as string,
        type: row['type'] as string,
        occurredAt: new Date(row['occurred_at'] as string | Date),
        actorId: row['actor_id'] as string | null,
        subjectId: row['subject_id'] as string | null,
        data: row['data'] as Record<string, unknown>,
        requestId: row['request_id'] as string | null,
      };
      return event;
    },
    setRequestId: (id) => {
      requestId = id;
    },
    close: () => t.close(),
  };
};

unitOfWorkContracts('memory', memory);
unitOfWorkContracts('PGlite', async () => postgres(await openPglite()));
unitOfWorkContracts('PostgreSQL', async (ctx) => postgres(await openPostgres(ctx)));
