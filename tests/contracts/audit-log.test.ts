import { MemoryAuditLog } from '../../adapters/memory/memory-audit-log.js';
import { PostgresAuditLog } from '../../adapters/postgres/postgres-audit-log.js';
import { openPglite, openPostgres } from '../support/databases.js';
import { auditLogContract } from './audit-log.contract.js';

auditLogContract('memory', async () => ({ log: new MemoryAuditLog() }));

auditLogContract('PGlite', async () => {
  const t = await openPglite();
  return { log: new PostgresAuditLog(t.db), close: () => t.close() };
});

auditLogContract('PostgreSQL', async (ctx) => {
  const t = await openPostgres(ctx);
  return { log: new PostgresAuditLog(t.db), close: () => t.close() };
});
