import { MemoryEventOutbox } from '../../adapters/memory/memory-event-outbox.js';
import { MemoryFileRepository } from '../../adapters/memory/memory-file-repository.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { MemoryRecordRepository } from '../../adapters/memory/memory-record-repository.js';
import { MemoryScheduleRepository } from '../../adapters/memory/memory-schedule-repository.js';
import { MemoryUnitOfWork } from '../../adapters/memory/memory-unit-of-work.js';
import { MemoryUserRepository } from '../../adapters/memory/memory-user-repository.js';
import { PostgresScheduleRepository } from '../../adapters/postgres/postgres-schedule-repository.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { PostgresUserRepository } from '../../adapters/postgres/postgres-user-repository.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';
import { scheduleRepositoryContract } from './schedule-repository.contract.js';

scheduleRepositoryContract('memory', async () => {
  const repo = new MemoryScheduleRepository();
  const users = new MemoryUserRepository();
  const uow = new MemoryUnitOfWork({ schedules: repo, users, records: new MemoryRecordRepository(), files: new MemoryFileRepository(), events: new MemoryEventOutbox(), idempotency: new MemoryIdempotencyStore().transactional });
  return { repo, users, uow };
});

const onDatabase = (t: TestDatabase) => ({
  repo: new PostgresScheduleRepository(t.db),
  users: new PostgresUserRepository(t.db),
  uow: new PostgresUnitOfWork(t.db),
  close: () => t.close(),
});

scheduleRepositoryContract('PGlite', async () => onDatabase(await openPglite()));

scheduleRepositoryContract('PostgreSQL', async (ctx) => onDatabase(await openPostgres(ctx)));
