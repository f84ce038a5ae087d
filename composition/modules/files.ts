import { createHmac } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { FileTypeContentTypeDetector } from '../../adapters/file-type/file-type-content-type-detector.js';
import { fileRoutes } from '../../adapters/http/routes/files.js';
import { LocalDiskObjectStorage } from '../../adapters/local-disk/local-disk-object-storage.js';
import { MemoryFileRepository } from '../../adapters/memory/memory-file-repository.js';
import { MemoryObjectStorage } from '../../adapters/memory/memory-object-storage.js';
import { PostgresFileRepository } from '../../adapters/postgres/postgres-file-repository.js';
import type { ContentTypeDetector } from '../../core/files/ports/content-type-detector.js';
import { DeleteFile } from '../../core/files/use-cases/delete-file.js';
import { DownloadFile } from '../../core/files/use-cases/download-file.js';
import type { FilePolicy } from '../../core/files/entities/file-policy.js';
import type { FileRepository } from '../../core/files/ports/file-repository.js';
import { GetFileLink } from '../../core/files/use-cases/get-file-link.js';
import { GetFile } from '../../core/files/use-cases/get-file.js';
import { ListFiles } from '../../core/files/use-cases/list-files.js';
import type { ObjectStorage } from '../../core/files/ports/object-storage.js';
import { OpenFileLink } from '../../core/files/use-cases/open-file-link.js';
import { SweepOrphanObjects } from '../../core/files/use-cases/sweep-orphan-objects.js';
import { UploadFile } from '../../core/files/use-cases/upload-file.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../../adapters/shared/stored-response.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import { dataPath } from '../infrastructure.js';
import type { ModuleBinder, ModuleContext } from '../module.js';
import { TOKENS, token } from '../tokens.js';

const moduleToken = <T>(name: string) => token<T>(`files.${name}`);

export const FILES = {
  ObjectStorage: moduleToken<ObjectStorage>('ObjectStorage'),
  ContentTypeDetector: moduleToken<ContentTypeDetector>('ContentTypeDetector'),
  Policy: moduleToken<FilePolicy>('Policy'),
};

/** Where the API serves its own links (local disk, memory); fileRoutes mounts the same path. */
const LINK_PREFIX = '/api/v1/files/links/';

/**
 * The store OBJECT_STORAGE (or the profile) names: MinIO/S3, local disk under DATA_DIR, or memory.
 * Also what `export` and `import` open (composition/main/archive-commands.ts).
 */
export const openObjectStorage = async ({ config, infra, logger }: Pick<ModuleContext, 'config' | 'infra' | 'logger'>): Promise<ObjectStorage> => {
  const log = logger.child('files');
  if (config.adapters.objects === 'memory') return new MemoryObjectStorage(LINK_PREFIX);
  if (config.adapters.objects === 'local-disk') {
    // Its own key, derived from the JWT secret, so a link signature can never pass as a token's.
    const linkSecret = createHmac('sha256', infra.jwtSecret).update('portside/file-links/v1').digest();
    const root = dataPath(config, 'objects');
    log.info(`objects on local disk under ${root}`);
    await mkdir(root, { recursive: true });
    // A full or read-only disk is an outage like an unreachable bucket.
    infra.readiness.push({ name: 'object storage', check: () => access(root, constants.W_OK) });
    const storage = new LocalDiskObjectStorage({ root, linkSecret, linkPrefix: LINK_PREFIX });
    infra.maintenance.push({
      name: 'abandoned uploads',
      // A day is far longer than any upload that is still going.
      run: (now) => storage.purgeAbandonedUploads(new Date(now.getTime() - 24 * 60 * 60_000)),
    });
    return storage;
  }
  const s3 = config.s3!;
  // Loaded only when selected: the MinIO client is the heaviest import of all (see docs/performance.md).
  const { MinioObjectStorage } = await import('../../adapters/minio/minio-object-storage.js');
  const storage = new MinioObjectStorage({
    endpoint: s3.endpoint,
    publicEndpoint: s3.publicEndpoint,
    useSSL: s3.useSsl,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    bucket: s3.bucket,
    region: s3.region,
    pathStyle: s3.pathStyle,
  });
  try {
    await storage.ensureBucket();
  } catch (error) {
    // Start anyway: readiness reports the store down, and creates the bucket once it answers.
    log.warn(`object storage not ready at start: ${(error as Error).message}`);
  }
  infra.readiness.push({ name: 'object storage', check: () => storage.ensureBucket() });
  return storage;
};

export interface FileUseCaseDeps {
  readonly files: FileRepository;
  readonly storage: ObjectStorage;
  readonly detector: ContentTypeDetector;
  readonly uow: UnitOfWork;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly policy: FilePolicy;
}

/** The six file use cases over one set of ports (also what tests on other adapters build). */
export const fileUseCases = ({ files, storage, detector, uow, ids, clock, policy }: FileUseCaseDeps) => ({
  upload: new UploadFile(storage, detector, files, uow, ids, clock, policy),
  list: new ListFiles(files),
  get: new GetFile(files),
  download: new DownloadFile(files, storage),
  link: new GetFileLink(files, storage, clock, policy),
  openLink: new OpenFileLink(storage, clock),
  remove: new DeleteFile(files, storage, uow, ids, clock),
});

/** Files: metadata repository, object storage, content detection, use cases and routes. */
export const bindFiles: ModuleBinder = async (ctx) => {
  const { container, config, infra } = ctx;
  const db = infra.database;
  const policy: FilePolicy = {
    maxBytes: config.files.maxBytes,
    quotaBytes: config.files.quotaBytes,
    allowedTypes: config.files.allowedTypes.map((type) => type.toLowerCase()),
    linkTtlSeconds: config.files.linkTtl,
  };
  // Outside a unit of work (reads); the memory unit of work snapshots this very instance.
  const files: FileRepository = db ? new PostgresFileRepository(db) : new MemoryFileRepository();
  const storage = await openObjectStorage(ctx);
  container.bind(TOKENS.FileRepository).toConstantValue(files);
  container.bind(FILES.ObjectStorage).toConstantValue(storage);
  const sweep = new SweepOrphanObjects(storage, files);
  infra.maintenance.push({
    name: 'orphaned file objects',
    run: async (now) => {
      const removed = await sweep.execute({ now });
      return E.isRight(removed) ? removed.right : 0;
    },
  });
  container.bind(FILES.ContentTypeDetector).toConstantValue(new FileTypeContentTypeDetector());
  container.bind(FILES.Policy).toConstantValue(policy);
  container
    .bind(TOKENS.Routes)
    .toResolvedValue(
      (files: FileRepository, storage: ObjectStorage, detector: ContentTypeDetector, uow: UnitOfWork, ids: IdGenerator, clock: Clock, store: IdempotencyStore<StoredResponse>) =>
        fileRoutes(
          fileUseCases({ files, storage, detector, uow, ids, clock, policy }),
          { maxBytes: policy.maxBytes, idempotency: { store, clock }, publicBaseUrl: config.http.publicBaseUrl },
        ),
      [TOKENS.FileRepository, FILES.ObjectStorage, FILES.ContentTypeDetector, TOKENS.UnitOfWork, TOKENS.IdGenerator, TOKENS.Clock, TOKENS.IdempotencyStore],
    );
};
