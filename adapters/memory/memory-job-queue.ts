import type { Job, JobPayload, NewJob } from '../../core/jobs/entities/job.js';
import { newJob, priorityRank } from '../../core/jobs/entities/job.js';
import type { JobQueue } from '../../core/jobs/ports/job-queue.js';

interface Slot {
  job: Job;
  /** Lease end while running; retry time while queued after a failure. */
  availableAt: Date | null;
}

/** JobQueue in one process's memory (tests, the memory profile). Same rules as the Postgres queue. */
export class MemoryJobQueue implements JobQueue {
  private readonly slots = new Map<string, Slot>();

  async enqueue(fields: NewJob): Promise<Job> {
    const job = newJob(fields);
    this.slots.set(job.id, { job, availableAt: null });
    return job;
  }

  async findById(id: string): Promise<Job | null> {
    return this.slots.get(id)?.job ?? null;
  }

  async claim(now: Date, leaseUntil: Date): Promise<Job | null> {
    const due = [...this.slots.values()]
      .filter((s) => (s.job.status === 'queued' || s.job.status === 'running') && (s.availableAt === null || s.availableAt <= now))
      .sort(
        (a, b) =>
          priorityRank(a.job.priority) - priorityRank(b.job.priority) ||
          a.job.createdAt.getTime() - b.job.createdAt.getTime() ||
          (a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0),
      );
    const slot = due[0];
    if (!slot) return null;
    slot.job = { ...slot.job, status: 'running', attempts: slot.job.attempts + 1, startedAt: slot.job.startedAt ?? now, updatedAt: now };
    slot.availableAt = leaseUntil;
    return slot.job;
  }

  private owned(id: string, attempt: number): Slot | null {
    const slot = this.slots.get(id);
    return slot && slot.job.status === 'running' && slot.job.attempts === attempt ? slot : null;
  }

  async progress(id: string, attempt: number, progress: number, now: Date, leaseUntil: Date): Promise<boolean> {
    const slot = this.owned(id, attempt);
    if (!slot) return false;
    slot.job = { ...slot.job, progress, updatedAt: now };
    slot.availableAt = leaseUntil;
    return true;
  }

  async complete(id: string, attempt: number, result: JobPayload, now: Date): Promise<boolean> {
    const slot = this.owned(id, attempt);
    if (!slot) return false;
    slot.job = { ...slot.job, status: 'completed', progress: 100, result, error: null, updatedAt: now, finishedAt: now };
    slot.availableAt = null;
    return true;
  }

  async fail(id: string, attempt: number, error: string, now: Date, retryAt: Date | null): Promise<boolean> {
    const slot = this.owned(id, attempt);
    if (!slot) return false;
    slot.job = retryAt
      ? { ...slot.job, status: 'queued', error, updatedAt: now }
      : { ...slot.job, status: 'failed', error, updatedAt: now, finishedAt: now };
    slot.availableAt = retryAt;
    return true;
  }
}
