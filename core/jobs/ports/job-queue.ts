import type { Job, JobPayload, NewJob } from '../entities/job.js';

/**
 * Durable jobs shared by every runner (API replicas on the embedded engine, workers on Postgres).
 * A claim leases one job until `leaseUntil`: other runners skip it meanwhile and take it again once
 * the lease has run out (its runner died or stalled), so a queued job is never lost. A runner
 * extends its lease whenever it reports progress. Writes from a runner whose lease was taken over
 * (`leaseUntil` no longer its own) are ignored: they return false.
 */
export interface JobQueue {
  enqueue(job: NewJob): Promise<Job>;
  findById(id: string): Promise<Job | null>;
  /**
   * Leases the next due job: queued (and past its retry time) or running with an expired lease;
   * highest priority first, then oldest. It becomes `running`, with one more attempt.
   */
  claim(now: Date, leaseUntil: Date): Promise<Job | null>;
  /** Sets progress (0..100) and extends the lease to `leaseUntil`. */
  progress(id: string, attempt: number, progress: number, now: Date, leaseUntil: Date): Promise<boolean>;
  complete(id: string, attempt: number, result: JobPayload, now: Date): Promise<boolean>;
  /**
   * The run failed: queued again from `retryAt`, or, when `retryAt` is null, `failed` for good.
   * The error is kept either way.
   */
  fail(id: string, attempt: number, error: string, now: Date, retryAt: Date | null): Promise<boolean>;
}
