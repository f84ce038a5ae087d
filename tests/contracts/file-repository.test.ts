import { MemoryFileRepository } from '../../adapters/memory/memory-file-repository.js';
import { PostgresFileRepository } from '../../adapters/postgres/postgres-file-repository.js';
import { openPglite, openPostgres } from '../support/databases.js';
import { fileRepositoryContract } from './file-repository.contract.js';

fileRepositoryContract('memory', async () => ({ files: new MemoryFileRepository() }));

fileRepositoryContract('postgres (embedded PGlite)', async () => {
  const database = await openPglite();
  return { files: new PostgresFileRepository(database.db), close: () => database.close() };
});

fileRepositoryContract('postgres (server)', async (ctx) => {
  const database = await openPostgres(ctx);
  return { files: new PostgresFileRepository(database.db), close: () => database.close() };
});
