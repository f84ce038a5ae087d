import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { PostgresIdempotencyStore } from '../../adapters/postgres/postgres-idempotency-store.js';
import { openPglite, openPostgres } from '../support/databases.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';

idempotencyStoreContract('memory', async () => ({ store: new MemoryIdempotencyStore() }));

idempotencyStoreContract('PGlite', async () => {
  const t = await openPglite();
  return { store: new PostgresIdempotencyStore(t.db), close: () => t.close() };
});

idempotencyStoreContract('PostgreSQL', async (ctx) => {
  const t = await openPostgres(ctx);
  return { store: new PostgresIdempotencyStore(t.db), close: () => t.close() };
});
