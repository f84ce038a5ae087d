import { jobRoutes, recordExportRoutes } from '../../adapters/http/routes/jobs.js';
import { MemoryJobQueue } from '../../adapters/memory/memory-job-queue.js';
import { PostgresJobQueue } from '../../adapters/postgres/postgres-job-queue.js';
import type { FilePolicy } from '../../core/files/entities/file-policy.js';
import type { FileRepository } from '../../core/files/ports/file-repository.js';
import type { ObjectStorage } from '../../core/files/ports/object-storage.js';
import { GetJob } from '../../core/jobs/use-cases/get-job.js';
import type { JobQueue } from '../../core/jobs/ports/job-queue.js';
import { ExportRecords } from '../../core/records/use-cases/export-records.js';
import { RecordExportJob } from '../../core/records/use-cases/run-record-export.js';
import type { RecordRepository } from '../../core/records/ports/record-repository.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../../adapters/shared/stored-response.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import { CommitSignal } from '../events.js';
import { JOB_TOKENS } from '../jobs.js';
import { currentRequestId } from '../request-context.js';
import type { ModuleBinder } from '../module.js';
import { TOKENS, token } from '../tokens.js';
import { FILES } from './files.js';

export const JOBS = {
  GetJob: token<GetJob>('jobs.GetJob'),
  ExportRecords: token<ExportRecords>('jobs.ExportRecords'),
};

/**
 * Tells this process's runner about every enqueue, so a job starts without waiting for the poll,
 * and stamps each job with the id of the request that asked for it (for the runner's log lines).
 */
const notifying = (queue: JobQueue, signal: CommitSignal, currentRequestId: () => string | null): JobQueue => ({
  enqueue: async (job) => {
    const queued = await queue.enqueue({ ...job, requestId: job.requestId ?? currentRequestId() });
    signal.notify();
    return queued;
  },
  findById: (id) => queue.findById(id),
  claim: (now, leaseUntil) => queue.claim(now, leaseUntil),
  progress: (id, attempt, progress, now, leaseUntil) => queue.progress(id, attempt, progress, now, leaseUntil),
  complete: (id, attempt, result, now) => queue.complete(id, attempt, result, now),
  fail: (id, attempt, error, now, retryAt) => queue.fail(id, attempt, error, now, retryAt),
});

/** Jobs: the queue (Postgres when a database is configured, memory otherwise), GET /jobs/{id}, and the records export. */
export const bindJobs: ModuleBinder = ({ container, infra }) => {
  const db = infra.database;
  const signal = new CommitSignal();
  container.bind(JOB_TOKENS.Enqueued).toConstantValue(signal);
  container.bind(JOB_TOKENS.JobQueue).toConstantValue(notifying(db ? new PostgresJobQueue(db) : new MemoryJobQueue(), signal, currentRequestId));
  container.bind(JOBS.GetJob).toResolvedValue((queue: JobQueue) => new GetJob(queue), [JOB_TOKENS.JobQueue]);
  container
    .bind(JOBS.ExportRecords)
    .toResolvedValue((queue: JobQueue, ids: IdGenerator, clock: Clock) => new ExportRecords(queue, ids, clock), [JOB_TOKENS.JobQueue, TOKENS.IdGenerator, TOKENS.Clock]);
  container
    .bind(JOB_TOKENS.JobHandler)
    .toResolvedValue(
      (records: RecordRepository, storage: ObjectStorage, files: FileRepository, uow: UnitOfWork, ids: IdGenerator, clock: Clock, policy: FilePolicy) =>
        new RecordExportJob(records, storage, files, uow, ids, clock, policy),
      [TOKENS.RecordRepository, FILES.ObjectStorage, TOKENS.FileRepository, TOKENS.UnitOfWork, TOKENS.IdGenerator, TOKENS.Clock, FILES.Policy],
    );
  container.bind(TOKENS.Routes).toResolvedValue((get: GetJob) => jobRoutes(get), [JOBS.GetJob]);
  container
    .bind(TOKENS.Routes)
    .toResolvedValue(
      (exportRecords: ExportRecords, store: IdempotencyStore<StoredResponse>, clock: Clock) => recordExportRoutes(exportRecords, { store, clock }),
      [JOBS.ExportRecords, TOKENS.IdempotencyStore, TOKENS.Clock],
    );
};
