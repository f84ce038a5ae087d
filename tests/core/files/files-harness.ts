import { v7 as uuidv7 } from 'uuid';
import { FileTypeContentTypeDetector } from '../../../adapters/file-type/file-type-content-type-detector.js';
import { MemoryEventOutbox } from '../../../adapters/memory/memory-event-outbox.js';
import { MemoryFileRepository } from '../../../adapters/memory/memory-file-repository.js';
import { MemoryObjectStorage } from '../../../adapters/memory/memory-object-storage.js';
import { MemoryRecordRepository } from '../../../adapters/memory/memory-record-repository.js';
import { MemoryIdempotencyStore } from '../../../adapters/memory/memory-idempotency-store.js';
import { MemoryUnitOfWork } from '../../../adapters/memory/memory-unit-of-work.js';
import { MemoryScheduleRepository } from '../../../adapters/memory/memory-schedule-repository.js';
import { MemoryUserRepository } from '../../../adapters/memory/memory-user-repository.js';
import { DeleteFile } from '../../../core/files/use-cases/delete-file.js';
import { DownloadFile } from '../../../core/files/use-cases/download-file.js';
import { DEFAULT_ALLOWED_TYPES, type FilePolicy } from '../../../core/files/entities/file-policy.js';
import { GetFileLink } from '../../../core/files/use-cases/get-file-link.js';
import { GetFile } from '../../../core/files/use-cases/get-file.js';
import { ListFiles } from '../../../core/files/use-cases/list-files.js';
import { OpenFileLink } from '../../../core/files/use-cases/open-file-link.js';
import type { StoredFile } from '../../../core/files/entities/stored-file.js';
import { SweepOrphanObjects } from '../../../core/files/use-cases/sweep-orphan-objects.js';
import { UploadFile } from '../../../core/files/use-cases/upload-file.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import { chunked } from '../../contracts/object-storage.contract.js';
import { anActor, left, right } from '../../support/builders.js';
import { ManualClock } from '../../support/manual-clock.js';

export { anActor, left, right };

export const policy = (overrides: Partial<FilePolicy> = {}): FilePolicy => ({
  maxBytes: 1024 * 1024,
  quotaBytes: 10 * 1024 * 1024,
  allowedTypes: DEFAULT_ALLOWED_TYPES,
  linkTtlSeconds: 300,
  ...overrides,
});

/** Every files use case on memory adapters, the real detector and a manual clock. */
export const filesHarness = (overrides: Partial<FilePolicy> = {}) => {
  const clock = new ManualClock();
  const ids = { next: () => uuidv7() };
  const files = new MemoryFileRepository();
  const storage = new MemoryObjectStorage(undefined, clock);
  const events = new MemoryEventOutbox();
  const idempotency = new MemoryIdempotencyStore();
  const uow = new MemoryUnitOfWork({ schedules: new MemoryScheduleRepository(), users: new MemoryUserRepository(), records: new MemoryRecordRepository(), files, events, idempotency: idempotency.transactional });
  const rules = policy(overrides);
  const h = {
    clock,
    /** The key store the harness's unit of work completes responses in. */
    idempotency,
    files,
    storage,
    events,
    policy: rules,
    upload: new UploadFile(storage, new FileTypeContentTypeDetector(), files, uow, ids, clock, rules),
    list: new ListFiles(files),
    get: new GetFile(files),
    download: new DownloadFile(files, storage),
    link: new GetFileLink(files, storage, clock, rules),
    openLink: new OpenFileLink(storage, clock),
    remove: new DeleteFile(files, storage, uow, ids, clock),
    sweep: new SweepOrphanObjects(storage, files),
    async aFile(actor: Actor, bytes: Buffer, filename = 'picture.png', declaredType: string | null = 'image/png'): Promise<StoredFile> {
      return right(await h.upload.execute({ actor, filename, declaredType, body: chunked(bytes) }));
    },
  };
  return h;
};
