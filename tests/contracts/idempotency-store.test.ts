import { MemoryEventOutbox } from '../../adapters/memory/memory-event-outbox.js';
import { MemoryFileRepository } from '../../adapters/memory/memory-file-repository.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { MemoryRecordRepository } from '../../adapters/memory/memory-record-repository.js';
import { MemoryScheduleRepository } from '../../adapters/memory/memory-schedule-repository.js';
import { MemoryUnitOfWork } from '../../adapters/memory/memory-unit-of-work.js';
import { MemoryUserRepository } from '../../adapters/memory/memory-user-repository.js';
import { PostgresIdempotencyStore } from '../../adapters/postgres/postgres-idempotency-store.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { openPglite, openPostgres } from '../support/databases.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';

idempotencyStoreContract('memory', async () => {
  const store = new MemoryIdempotencyStore();
  const uow = new MemoryUnitOfWork({
    schedules: new MemoryScheduleRepository(),
    users: new MemoryUserRepository(),
    records: new MemoryRecordRepository(),
    files: new MemoryFileRepository(),
    events: new MemoryEventOutbox(),
    idempotency: store.transactional,
  });
  return { store, uow };
});

idempotencyStoreContract('PGlite', async () => {
  const t = await openPglite();
  return { store: new PostgresIdempotencyStore(t.db), uow: new PostgresUnitOfWork(t.db), close: () => t.close() };
});

idempotencyStoreContract('PostgreSQL', async (ctx) => {
  const t = await openPostgres(ctx);
  return { store: new PostgresIdempotencyStore(t.db), uow: new PostgresUnitOfWork(t.db), close: () => t.close() };
});
