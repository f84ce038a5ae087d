import type { Clock } from '../../shared/ports/clock.js';
import { noRequestScope, type RequestScope } from '../../shared/use-cases/dispatch-event.js';
import type { Logger } from '../../shared/ports/logger.js';
import type { Job } from '../entities/job.js';
import { PermanentJobError, type JobHandler } from '../ports/job-handler.js';
import type { JobQueue } from '../ports/job-queue.js';

export interface JobRunnerSettings {
  /** How long a claim (or a progress report) holds the job before another runner may take it. */
  readonly leaseMs: number;
  /** Runs before a failing job is failed for good. */
  readonly maxAttempts: number;
  /** Backoff after the n-th failed run: baseBackoffMs * 2^(n-1). */
  readonly baseBackoffMs: number;
}

export const DEFAULT_JOB_RUNNER_SETTINGS: JobRunnerSettings = { leaseMs: 60_000, maxAttempts: 3, baseBackoffMs: 5_000 };

export type JobRun = { readonly kind: 'idle' } | { readonly kind: 'ran'; readonly job: Job; readonly outcome: 'completed' | 'failed' | 'retry' | 'lost' };

/**
 * The job runner's one step: lease the next due job, run its handler, record the result or the
 * error. A job of a type no handler knows fails at once; a handler's PermanentJobError too; any
 * other error is retried with backoff until `maxAttempts`.
 */
export class RunNextJob {
  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: () => readonly JobHandler[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: JobRunnerSettings = DEFAULT_JOB_RUNNER_SETTINGS,
    /** Runs a job inside the request that asked for it, so every log line for it names that request. */
    private readonly scope: RequestScope = noRequestScope,
  ) {}

  async execute(): Promise<JobRun> {
    const now = this.clock.now();
    const job = await this.queue.claim(now, this.leaseFrom(now));
    if (job === null) return { kind: 'idle' };
    return this.scope(job.requestId, () => this.run(job));
  }

  private async run(job: Job): Promise<JobRun> {
    const attempt = job.attempts;
    const handler = this.handlers().find((h) => h.type === job.type);
    const fields = { jobId: job.id, jobType: job.type, attempt };
    try {
      if (!handler) throw new PermanentJobError(`no handler for jobs of type ${job.type}`);
      this.logger.info('job started', fields);
      const result = await handler.run(job, {
        progress: (percent) => {
          const at = this.clock.now();
          return this.queue.progress(job.id, attempt, Math.max(0, Math.min(100, Math.floor(percent))), at, this.leaseFrom(at));
        },
      });
      const kept = await this.queue.complete(job.id, attempt, result, this.clock.now());
      if (kept) this.logger.info('job completed', fields);
      else this.logger.warn('job finished after another runner took it over; its result was dropped', fields);
      return { kind: 'ran', job, outcome: kept ? 'completed' : 'lost' };
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 2_000);
      const giveUp = error instanceof PermanentJobError || attempt >= this.settings.maxAttempts;
      const at = this.clock.now();
      const retryAt = giveUp ? null : new Date(at.getTime() + this.settings.baseBackoffMs * 2 ** (attempt - 1));
      if (giveUp) this.logger.error('job failed', { ...fields, error: message });
      else this.logger.warn('job run failed; it will be retried', { ...fields, error: message, retryAt: retryAt?.toISOString() });
      const kept = await this.queue.fail(job.id, attempt, message, at, retryAt);
      return { kind: 'ran', job, outcome: !kept ? 'lost' : giveUp ? 'failed' : 'retry' };
    }
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.settings.leaseMs);
  }
}
