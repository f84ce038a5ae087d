import type { Container } from 'inversify';
import type { JobHandler } from '../core/jobs/ports/job-handler.js';
import type { JobQueue } from '../core/jobs/ports/job-queue.js';
import { DEFAULT_JOB_RUNNER_SETTINGS, RunNextJob } from '../core/jobs/use-cases/run-next-job.js';
import { withRequestId } from './request-context.js';
import { token, TOKENS } from './tokens.js';
import { WakeLoop } from './wake-loop.js';

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

/** Starts this process's job runner (server on every profile where `JOBS_RUN_IN_API` holds, worker always). */
export const startJobRunner = (container: Container, role: 'api' | 'worker'): WakeLoop | null => {
  const config = container.get(TOKENS.Config);
  if (role === 'api' && !config.jobs.runInApi) return null;
  const logger = container.get(TOKENS.Logger).child('jobs');
  let handlers: readonly JobHandler[] | null = null;
  const run = new RunNextJob(
    container.get(JOB_TOKENS.JobQueue),
    () => (handlers ??= container.getAll(JOB_TOKENS.JobHandler, { optional: true })),
    container.get(TOKENS.Clock),
    logger,
    { ...DEFAULT_JOB_RUNNER_SETTINGS, maxAttempts: config.jobs.maxAttempts, leaseMs: config.jobs.leaseMs },
    withRequestId,
  );
  // Each slot claims and runs jobs until the queue is empty; the poll finds jobs enqueued
  // elsewhere, leases that ran out and retries that came due.
  const loop = new WakeLoop(
    async () => ((await run.execute()).kind === 'idle' ? 'done' : 'more'),
    // Database down: the poll tries again; the jobs stay queued (or leased, then retaken).
    (error) => logger.warn('job runner round failed', { error }),
    config.jobs.pollMs,
    config.jobs.concurrency,
  );
  const unsubscribe = container.get(JOB_TOKENS.Enqueued).subscribe(loop.wake);
  loop.start();
  const stop = loop.stop.bind(loop);
  loop.stop = async () => {
    unsubscribe();
    await stop();
  };
  return loop;
};
