import type { Migration } from './migration.js';

/**
 * User-visible jobs. `priority` is the rank (0 high, 1 default, 2 low) so that claims read the
 * partial index in order; `available_at` is the lease end while running and the retry time while
 * queued after a failure.
 */
export const jobs: Migration = {
  name: '0011-jobs',
  async up({ context: qi }) {
    await qi.sequelize.query(`
      CREATE TABLE jobs (
        id UUID PRIMARY KEY,
        type VARCHAR(100) NOT NULL,
        owner_id UUID NOT NULL,
        priority SMALLINT NOT NULL CHECK (priority BETWEEN 0 AND 2),
        payload JSONB NOT NULL,
        status VARCHAR(16) NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        progress SMALLINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        result JSONB,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        available_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        started_at TIMESTAMPTZ,
        finished_at TIMESTAMPTZ
      )`);
    await qi.sequelize.query("CREATE INDEX jobs_due_idx ON jobs (priority, created_at, id) WHERE status IN ('queued', 'running')");
    await qi.sequelize.query('CREATE INDEX jobs_owner_idx ON jobs (owner_id, created_at)');
  },
  async down({ context: qi }) {
    await qi.dropTable('jobs');
  },
};
