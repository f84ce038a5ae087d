import { MemoryEventOutbox } from '../../adapters/memory/memory-event-outbox.js';
import { MemoryUnitOfWork } from '../../adapters/memory/memory-unit-of-work.js';
import { PostgresOutboxQueue } from '../../adapters/postgres/postgres-outbox-queue.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';
import { outboxQueueContract, type OutboxQueueFixture } from './outbox-queue.contract.js';

outboxQueueContract('memory', async () => {
  let requestId: string | null = null;
  let outbox = new MemoryEventOutbox(() => requestId);
  return {
    get queue() {
      return outbox;
    },
    unitOfWork: (id) => {
      requestId = id;
      // Only the outbox matters here; the memory unit of work snapshots whatever stores it is given.
      return new MemoryUnitOfWork({ events: outbox } as unknown as ConstructorParameters<typeof MemoryUnitOfWork>[0]);
    },
    reset: async () => {
      outbox = new MemoryEventOutbox(() => requestId);
    },
  } satisfies OutboxQueueFixture;
});

const postgresFixture = (t: TestDatabase): OutboxQueueFixture => ({
  queue: new PostgresOutboxQueue(t.db),
  unitOfWork: (requestId) => new PostgresUnitOfWork(t.db, () => requestId),
  reset: async () => {
    await t.db.sequelize.query('DELETE FROM outbox_events');
  },
  close: () => t.close(),
});

outboxQueueContract('PGlite', async () => postgresFixture(await openPglite()));
outboxQueueContract('PostgreSQL', async (ctx) => postgresFixture(await openPostgres(ctx)));
