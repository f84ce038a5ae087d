import type { Job, JobPayload } from '../entities/job.js';

export interface JobContext {
  /** Reports progress (0..100) and keeps the lease; false when another runner took the job over (stop then). */
  progress(percent: number): Promise<boolean>;
}

/**
 * Runs the jobs of one type. A job may run more than once (its runner died, or it failed and was
 * retried): `run` must be safe to repeat. It returns the job's result, or throws to fail the run.
 */
export interface JobHandler {
  readonly type: string;
  run(job: Job, context: JobContext): Promise<JobPayload>;
}

/** A failure that retrying cannot fix (bad payload, quota exceeded): the job fails at once. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}
