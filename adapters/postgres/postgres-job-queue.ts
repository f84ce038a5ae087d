import { QueryTypes } from 'sequelize';
import type { Job, JobPayload, JobPriority, JobStatus, NewJob } from '../../core/jobs/entities/job.js';
import { JOB_PRIORITIES, newJob, priorityRank } from '../../core/jobs/entities/job.js';
import type { JobQueue } from '../../core/jobs/ports/job-queue.js';
import { guarded, type PostgresDatabase } from './database.js';

interface JobRow {
  id: string;
  type: string;
  owner_id: string;
  priority: number;
  payload: JobPayload;
  status: JobStatus;
  progress: number;
  result: JobPayload | null;
  error: string | null;
  attempts: number;
  request_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

const toJob = (r: JobRow): Job => ({
  id: r.id,
  type: r.type,
  ownerId: r.owner_id,
  priority: JOB_PRIORITIES[r.priority] as JobPriority,
  payload: r.payload,
  status: r.status,
  progress: r.progress,
  result: r.result,
  error: r.error,
  attempts: r.attempts,
  requestId: r.request_id,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  startedAt: date(r.started_at),
  finishedAt: date(r.finished_at),
});

const COLUMNS = 'id, type, owner_id, priority, payload, status, progress, result, error, attempts, request_id, created_at, updated_at, started_at, finished_at';

/**
 * `jobs` as a queue shared by every runner. A claim is one short statement, like the outbox
 * queue's: it picks the next due row with FOR UPDATE SKIP LOCKED (concurrent runners take different
 * jobs instead of waiting) and leases it by pushing `available_at` to the lease's end. No
 * transaction stays open while the job runs (the embedded engine runs one at a time). Writes after
 * the claim name the attempt they belong to, so a runner whose lease was taken over changes nothing.
 */
export class PostgresJobQueue implements JobQueue {
  constructor(private readonly db: PostgresDatabase) {}

  private select(sql: string, replacements: Record<string, unknown>): Promise<JobRow[]> {
    return guarded(() => this.db.sequelize.query<JobRow>(sql, { replacements, type: QueryTypes.SELECT }));
  }

  async enqueue(fields: NewJob): Promise<Job> {
    const job = newJob(fields);
    await guarded(() =>
      this.db.sequelize.query(
        `INSERT INTO jobs (id, type, owner_id, priority, payload, status, progress, attempts, request_id, created_at, updated_at)
         VALUES (:id, :type, :ownerId, :priority, CAST(:payload AS JSONB), 'queued', 0, 0, :requestId, :createdAt, :createdAt)`,
        {
          replacements: {
            id: job.id,
            type: job.type,
            ownerId: job.ownerId,
            priority: priorityRank(job.priority),
            payload: JSON.stringify(job.payload),
            requestId: job.requestId,
            createdAt: job.createdAt,
          },
        },
      ),
    );
    return job;
  }

  async findById(id: string): Promise<Job | null> {
    const [row] = await this.select(`SELECT ${COLUMNS} FROM jobs WHERE id = :id`, { id });
    return row ? toJob(row) : null;
  }

  async claim(now: Date, leaseUntil: Date): Promise<Job | null> {
    const [row] = await this.select(
      `WITH due AS (
         SELECT id FROM jobs
         WHERE status IN ('queued', 'running') AND (available_at IS NULL OR available_at <= :now)
         ORDER BY priority, created_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, available_at = :leaseUntil,
         started_at = COALESCE(j.started_at, :now), updated_at = :now
       FROM due WHERE j.id = due.id
       RETURNING ${COLUMNS.split(', ').map((c) => `j.${c}`).join(', ')}`,
      { now, leaseUntil },
    );
    return row ? toJob(row) : null;
  }

  private async owned(set: string, id: string, attempt: number, replacements: Record<string, unknown>): Promise<boolean> {
    const rows = await this.select(`UPDATE jobs SET ${set} WHERE id = :id AND attempts = :attempt AND status = 'running' RETURNING id`, {
      ...replacements,
      id,
      attempt,
    });
    return rows.length > 0;
  }

  progress(id: string, attempt: number, progress: number, now: Date, leaseUntil: Date): Promise<boolean> {
    return this.owned('progress = :progress, available_at = :leaseUntil, updated_at = :now', id, attempt, { progress, now, leaseUntil });
  }

  complete(id: string, attempt: number, result: JobPayload, now: Date): Promise<boolean> {
    return this.owned(
      "status = 'completed', progress = 100, result = CAST(:result AS JSONB), error = NULL, available_at = NULL, updated_at = :now, finished_at = :now",
      id,
      attempt,
      { result: JSON.stringify(result), now },
    );
  }

  fail(id: string, attempt: number, error: string, now: Date, retryAt: Date | null): Promise<boolean> {
    return retryAt
      ? this.owned("status = 'queued', error = :error, available_at = :retryAt, updated_at = :now", id, attempt, { error, retryAt, now })
      : this.owned("status = 'failed', error = :error, available_at = NULL, updated_at = :now, finished_at = :now", id, attempt, { error, now });
  }
}
