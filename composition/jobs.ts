import type { Container } from 'inversify';
import type { JobHandler } from '../core/jobs/job-handler.js';
import type { JobQueue } from '../core/jobs/job-queue.js';
import { DEFAULT_JOB_RUNNER_SETTINGS, RunNextJob } from '../core/jobs/run-next-job.js';
import type { Logger } from '../core/shared/logger.js';
import { token, TOKENS } from './tokens.js';

/**
 * The job runner's wiring: the queue, the handlers (multi-bound, one per job type) and the loop
 * that runs them. See docs/events-and-jobs.md for the guarantees.
 */
export const JOB_TOKENS = {
  JobQueue: token<JobQueue>('jobs.JobQueue'),
  /** Multi-bound: one handler per job type. */
  JobHandler: token<JobHandler>('jobs.JobHandler'),
  /** Told when a job is enqueued in this process, so its runner starts at once. */
  Enqueued: token<{ notify(): void; subscribe(listener: () => void): () => void }>('jobs.Enqueued'),
};

/**
 * Runs up to `concurrency` jobs at once: each slot claims and runs jobs until the queue is empty,
 * then waits for a wake (an enqueue here) or the poll (jobs enqueued elsewhere, leases that ran
 * out, retries that came due).
 */
export class JobLoop {
  private readonly slots = new Set<Promise<void>>();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: RunNextJob,
    private readonly logger: Logger,
    private readonly concurrency: number,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  wake = (): void => {
    if (this.stopped || this.slots.size >= this.concurrency) return;
    const slot: Promise<void> = this.drain().finally(() => this.slots.delete(slot));
    this.slots.add(slot);
  };

  private async drain(): Promise<void> {
    while (!this.stopped) {
      try {
        const run = await this.run.execute();
        if (run.kind === 'idle') return;
        // More may be waiting: let another slot help.
        this.wake();
      } catch (error) {
        // Database down: the poll tries again; the jobs stay queued (or leased, then retaken).
        this.logger.warn('job runner round failed', { error });
        return;
      }
    }
  }

  /** Resolves when no job is running (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.slots.size > 0) await Promise.all([...this.slots]);
  }

  /** Stops claiming and waits for the jobs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }
}

/** Starts this process's job runner (server on every profile where `JOBS_RUN_IN_API` holds, worker always). */
export const startJobRunner = (container: Container, role: 'api' | 'worker'): JobLoop | null => {
  const config = container.get(TOKENS.Config);
  if (role === 'api' && !config.jobs.runInApi) return null;
  const logger = container.get(TOKENS.Logger).child('jobs');
  let handlers: readonly JobHandler[] | null = null;
  const run = new RunNextJob(
    container.get(JOB_TOKENS.JobQueue),
    () => (handlers ??= container.getAll(JOB_TOKENS.JobHandler, { optional: true })),
    container.get(TOKENS.Clock),
    logger,
    { ...DEFAULT_JOB_RUNNER_SETTINGS, maxAttempts: config.jobs.maxAttempts },
  );
  const loop = new JobLoop(run, logger, config.jobs.concurrency, config.jobs.pollMs);
  const unsubscribe = container.get(JOB_TOKENS.Enqueued).subscribe(loop.wake);
  loop.start();
  const stop = loop.stop.bind(loop);
  loop.stop = async () => {
    unsubscribe();
    await stop();
  };
  return loop;
};
