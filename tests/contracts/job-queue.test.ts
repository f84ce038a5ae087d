import { MemoryJobQueue } from '../../adapters/memory/memory-job-queue.js';
import { PostgresJobQueue } from '../../adapters/postgres/postgres-job-queue.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';
import { jobQueueContract, type JobQueueFixture } from './job-queue.contract.js';

jobQueueContract('memory', async () => {
  let queue = new MemoryJobQueue();
  return {
    get queue() {
      return queue;
    },
    reset: async () => {
      queue = new MemoryJobQueue();
    },
  } satisfies JobQueueFixture;
});

const postgresFixture = (t: TestDatabase): JobQueueFixture => ({
  queue: new PostgresJobQueue(t.db),
  reset: async () => {
    await t.db.sequelize.query('DELETE FROM jobs');
  },
  close: () => t.close(),
});

jobQueueContract('PGlite', async () => postgresFixture(await openPglite()));
jobQueueContract('PostgreSQL', async (ctx) => postgresFixture(await openPostgres(ctx)));
