import * as E from 'fp-ts/lib/Either.js';
import type { Job, JobPayload, JobPriority } from '../../jobs/entities/job.js';
import { newJob } from '../../jobs/entities/job.js';
import type { JobQueue } from '../../jobs/ports/job-queue.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { RecordStatus } from '../entities/record.js';
import { RECORD_EXPORT_JOB, type ExportFormat, type ExportPayload } from '../entities/record-export.js';

export interface ExportRecordsCommand {
  readonly format: ExportFormat;
  /** The list's filters: admins may name one owner (or none: every owner); anyone else gets their own. */
  readonly ownerId?: string | undefined;
  readonly status?: RecordStatus | undefined;
  readonly q?: string | undefined;
}

/** Queues an export of the caller's records; `RecordExportJob` (run-record-export.ts) runs it; its result is `{file_id}`. */
export class ExportRecords {
  constructor(
    private readonly queue: JobQueue,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly priority: JobPriority = 'default',
  ) {}

  async execute(actor: Actor, cmd: ExportRecordsCommand): Promise<E.Either<DomainError, Job>> {
    const wanted = cmd.ownerId?.toLowerCase();
    const payload: ExportPayload = {
      format: cmd.format,
      ownerId: actor.isAdmin ? (wanted ?? null) : actor.userId,
      status: cmd.status ?? null,
      q: cmd.q === undefined || cmd.q === '' ? null : cmd.q,
      empty: !actor.isAdmin && wanted !== undefined && wanted !== actor.userId,
    };
    const job = newJob({
      id: this.ids.next(),
      type: RECORD_EXPORT_JOB,
      ownerId: actor.userId,
      priority: this.priority,
      payload: payload as unknown as JobPayload,
      createdAt: this.clock.now(),
    });
    return E.right(await this.queue.enqueue(job));
  }
}
