import { MemoryRecordRepository } from '../../adapters/memory/memory-record-repository.js';
import { PostgresRecordRepository } from '../../adapters/postgres/postgres-record-repository.js';
import { openPglite, openPostgres } from '../support/databases.js';
import { recordRepositoryContract } from './record-repository.contract.js';

recordRepositoryContract('memory', async () => ({ repo: new MemoryRecordRepository() }));

recordRepositoryContract('PGlite', async () => {
  const t = await openPglite();
  return { repo: new PostgresRecordRepository(t.db), close: () => t.close() };
});

recordRepositoryContract('PostgreSQL', async (ctx) => {
  const t = await openPostgres(ctx);
  return { repo: new PostgresRecordRepository(t.db), close: () => t.close() };
});
