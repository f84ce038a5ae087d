import * as E from 'fp-ts/lib/Either.js';
import { displayFilename, objectKeyOf, type StoredFile } from '../../files/entities/stored-file.js';
import type { FilePolicy } from '../../files/entities/file-policy.js';
import type { FileRepository } from '../../files/ports/file-repository.js';
import type { ObjectStorage } from '../../files/ports/object-storage.js';
import { PermanentJobError, type JobContext, type JobHandler } from '../../jobs/ports/job-handler.js';
import type { Job, JobPayload } from '../../jobs/entities/job.js';
import type { Clock } from '../../shared/ports/clock.js';
import { businessRule } from '../../shared/entities/errors.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import { isRecordStatus } from '../entities/record.js';
import { CSV_COLUMNS, csvLine, RECORD_EXPORT_JOB, recordExportView, type ExportPayload } from '../entities/record-export.js';
import type { RecordFilter, RecordRepository } from '../ports/record-repository.js';

const decodePayload = (payload: JobPayload): ExportPayload => {
  const p = payload as Partial<ExportPayload>;
  if ((p.format !== 'ndjson' && p.format !== 'csv') || (p.status !== null && !isRecordStatus(p.status))) {
    throw new PermanentJobError('malformed export job payload');
  }
  return { format: p.format, ownerId: p.ownerId ?? null, status: p.status ?? null, q: p.q ?? null, empty: p.empty === true };
};

export interface ExportSettings {
  /** Records read per page (keyset cursor: memory holds one page at a time). */
  readonly pageSize: number;
}

/**
 * Runs `records.export` jobs: pages through the records with the keyset cursor, oldest first, and
 * streams NDJSON or CSV straight into object storage, then writes the file's metadata (owned by
 * the job's owner, counted against their quota). The file's id is the job's id, so a job that
 * runs again after its runner died does not leave a second file: the object is overwritten and
 * the metadata written once.
 */
export class RecordExportJob implements JobHandler {
  readonly type = RECORD_EXPORT_JOB;

  constructor(
    private readonly records: RecordRepository,
    private readonly storage: ObjectStorage,
    private readonly files: FileRepository,
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly policy: FilePolicy,
    private readonly settings: ExportSettings = { pageSize: 500 },
  ) {}

  async run(job: Job, context: JobContext): Promise<JobPayload> {
    const payload = decodePayload(job.payload);
    const existing = await this.files.findById(job.id);
    if (existing !== null) return { file_id: existing.id };
    const room = this.policy.quotaBytes - (await this.files.totalBytesByOwner(job.ownerId));
    if (room <= 0) throw new PermanentJobError('Storage quota exceeded');
    const maxBytes = Math.min(this.policy.maxBytes, room);
    const contentType = payload.format === 'csv' ? 'text/csv' : 'application/x-ndjson';
    const objectKey = objectKeyOf(job.id);
    const stored = await this.storage.put(objectKey, this.lines(payload, context), { maxBytes, contentType });
    if (E.isLeft(stored)) throw new PermanentJobError(maxBytes < this.policy.maxBytes ? 'Storage quota exceeded' : `The export is larger than ${this.policy.maxBytes} bytes`);
    const file: StoredFile = {
      id: job.id,
      ownerId: job.ownerId,
      filename: displayFilename(`records-${job.createdAt.toISOString().slice(0, 10)}.${payload.format}`),
      contentType,
      size: stored.right.size,
      sha256: stored.right.sha256,
      objectKey,
      createdAt: this.clock.now(),
      deletedAt: null,
    };
    const saved = await this.uow.run(async (scope) => {
      if ((await scope.files.totalBytesByOwner(file.ownerId)) + file.size > this.policy.quotaBytes) return E.left(businessRule('Storage quota exceeded'));
      const inserted = await scope.files.insert(file);
      await scope.events.record(
        newEvent(this.ids, this.clock, { type: 'file.uploaded', actorId: file.ownerId, subjectId: file.id, data: { size: file.size, content_type: contentType, job_id: job.id } }),
      );
      return E.right(inserted);
    });
    if (E.isLeft(saved)) {
      await this.storage.delete(objectKey).catch(() => undefined);
      throw new PermanentJobError(saved.left.message);
    }
    return { file_id: saved.right.id };
  }

  private async *lines(payload: ExportPayload, context: JobContext): AsyncIterable<Uint8Array> {
    const encoder = new TextEncoder();
    if (payload.format === 'csv') yield encoder.encode(csvLine(CSV_COLUMNS));
    if (payload.empty) return;
    const filter: RecordFilter = { ownerId: payload.ownerId ?? undefined, status: payload.status ?? undefined, q: payload.q ?? undefined };
    const sort = { field: 'created_at', direction: 'asc' } as const;
    let cursor: string | undefined;
    let total: number | null = null;
    let done = 0;
    for (;;) {
      const page = await this.records.list(filter, sort, { page: 1, size: this.settings.pageSize, cursor, withTotal: total === null });
      if (E.isLeft(page)) throw new Error(page.left.message);
      total ??= page.right.total;
      const chunk = page.right.items
        .map((r) => {
          const view = recordExportView(r);
          return payload.format === 'csv' ? csvLine(CSV_COLUMNS.map((c) => view[c])) : `${JSON.stringify(view)}\n`;
        })
        .join('');
      if (chunk !== '') yield encoder.encode(chunk);
      done += page.right.items.length;
      if (total && total > 0) {
        if (!(await context.progress(Math.min(99, (done * 100) / total)))) throw new Error('the job was taken over by another runner');
      }
      const next = page.right.nextCursor;
      if (next === null || next === undefined || page.right.items.length === 0) return;
      cursor = next;
    }
  }
}
