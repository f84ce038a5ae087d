import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { DeleteFile } from '../../../core/files/use-cases/delete-file.js';
import type { GetFile } from '../../../core/files/use-cases/get-file.js';
import type { ListFiles } from '../../../core/files/use-cases/list-files.js';
import type { StoredFile } from '../../../core/files/entities/stored-file.js';
import type { UploadFile } from '../../../core/files/use-cases/upload-file.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import { tooLarge, type DomainError } from '../../../core/shared/entities/errors.js';
import type { Page } from '../../../core/shared/entities/pagination.js';
import { cursorQueryProps, Timestamp, Uuid } from '../codecs.js';
import { IDEMPOTENT_REPLAYED, LOCATION } from '../response-headers.js';
import { withExample } from '../schema-registry.js';
import { cursorPageMeta, CursorPageMetaView, pageQueryOf } from '../page-view.js';
import { IDEMPOTENCY_KEY, idempotent, type Idempotency, type Remember } from '../idempotency.js';
import { abandonUpload, receiveFile, sha256OfUpload, UploadAborted } from '../multipart.js';
import { created, HANDLED, noContent, ok, route, type AnyRoute, type Reply } from '../route.js';
import { fileContentRoutes, type FileContentOptions, type FileContentUseCases } from './file-content.js';

/** A file's metadata: upload, list, read and delete. */
export interface FileMetadataUseCases {
  readonly upload: UploadFile;
  readonly list: ListFiles;
  readonly get: GetFile;
  readonly remove: DeleteFile;
}

export interface FileUseCases extends FileMetadataUseCases, FileContentUseCases {}

export interface FileRouteOptions extends FileContentOptions {
  /** FILES_MAX_BYTES: a Content-Length beyond it (plus form overhead) is refused before reading. */
  readonly maxBytes: number;
  readonly idempotency?: Idempotency | undefined;
}

/** Boundaries, part headers and a few small fields around the file. */
const FORM_OVERHEAD = 64 * 1024;
const FileView = t.type({
  id: Uuid,
  owner_id: Uuid,
  filename: withExample(t.string, 'invoice-2026-01.pdf'),
  content_type: withExample(t.string, 'application/pdf'),
  size: withExample(t.number, 48213),
  sha256: withExample(t.string, '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'),
  created_at: Timestamp,
});
const view = (f: StoredFile): t.TypeOf<typeof FileView> => ({
  id: f.id,
  owner_id: f.ownerId,
  filename: f.filename,
  content_type: f.contentType,
  size: f.size,
  sha256: f.sha256,
  created_at: f.createdAt.toISOString(),
});
const pageView = (p: Page<StoredFile>, fromCursor: boolean) => ({ items: p.items.map(view), meta: cursorPageMeta(p, fromCursor) });

// Any string: an id that is not a UUID names no file, so it is a 404 like any other unknown id.
const IdParams = t.type({ id: t.string });
const ListQuery = t.partial(cursorQueryProps);

const createdReply = (file: StoredFile): Reply => created(view(file), { Location: `/api/v1/files/${file.id}` });

const upload = async (
  uc: FileMetadataUseCases,
  options: FileRouteOptions,
  actor: Actor,
  req: Request,
  res: Response,
  remember: Remember,
): Promise<E.Either<DomainError, Reply>> => {
  const declaredLength = Number(req.get('content-length') ?? Number.NaN);
  let result: E.Either<DomainError, StoredFile>;
  try {
    result =
      declaredLength > options.maxBytes + FORM_OVERHEAD
        ? E.left(tooLarge(`Files are limited to ${options.maxBytes} bytes`))
        : await receiveFile(req, (file) => uc.upload.execute({ actor, ...file, completion: remember(createdReply) }));
  } catch (error) {
    abandonUpload(req, res);
    // Nobody is left to answer; a fully read request counts as destroyed too, so test the cause.
    if (error instanceof UploadAborted) return E.right(HANDLED);
    throw error;
  }
  if (E.isLeft(result)) {
    abandonUpload(req, res);
    return result;
  }
  return E.right(createdReply(result.right));
};

const NOT_FOUND = { description: "No such file, or not the caller's" };

const fileMetadataRoutes = (uc: FileMetadataUseCases, options: FileRouteOptions): AnyRoute[] => [
  route({
    method: 'post',
    path: '/files',
    summary: 'Upload a file (multipart field `file`)',
    description:
      'The body is streamed to object storage, never held whole. The type is detected from the bytes and must be on the ' +
      'allow-list (FILES_ALLOWED_TYPES) and agree with the part\'s declared type; the size is capped by FILES_MAX_BYTES ' +
      '(413 as soon as it is crossed) and by the per-user quota. An Idempotency-Key replays the first answer for a retry ' +
      'with the same bytes; other bytes under the same key are a 422.',
    tags: ['files'],
    auth: 'bearer',
    body: t.unknown,
    bodyKind: 'multipart',
    headers: [IDEMPOTENCY_KEY],
    responses: {
      201: { description: 'The stored file\'s metadata', data: FileView, headers: { Location: LOCATION, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED } },
      409: { description: 'A request with this Idempotency-Key is still being processed' },
      413: { description: 'Over FILES_MAX_BYTES or over the caller\'s storage quota' },
      415: { description: 'A type outside the allow-list, or bytes that are not what the part claims' },
      422: { description: 'No `file` part, a malformed multipart body, an invalid Idempotency-Key, or the key reused with other bytes' },
      503: { description: 'Object storage or the database is unavailable; nothing was kept' },
    },
    handler: async ({ actor, req, res }) =>
      idempotent(
        options.idempotency,
        {
          actor,
          req,
          // A stream cannot be hashed before it is read: the claim compares lengths, a replay then
          // reads the new upload through SHA-256 and must match the stored file's.
          body: { content_length: req.get('content-length') ?? null },
          confirmReplay: async (stored) => {
            const stored256 = (stored.data as { sha256?: unknown } | null)?.sha256;
            return E.map((digest: string | null) => digest !== null && digest === stored256)(await sha256OfUpload(req, res, options.maxBytes));
          },
        },
        'POST /files',
        (remember) => upload(uc, options, actor, req, res, remember),
      ),
  }),
  route({
    method: 'get',
    path: '/files',
    summary: "List the caller's files, newest first",
    tags: ['files'],
    auth: 'bearer',
    query: ListQuery,
    responses: { 200: { description: 'A page of files', data: t.type({ items: t.array(FileView), meta: CursorPageMetaView }) } },
    handler: async ({ actor, query }) =>
      E.map((p: Page<StoredFile>) => ok(pageView(p, query.cursor !== undefined)))(await uc.list.execute({ actor, page: pageQueryOf(query) })),
  }),
  route({
    method: 'get',
    path: '/files/:id',
    summary: 'Get a file\'s metadata (owner or admin)',
    tags: ['files'],
    auth: 'bearer',
    params: IdParams,
    responses: { 200: { description: 'The metadata', data: FileView }, 404: NOT_FOUND },
    handler: async ({ actor, params }) => E.map((f: StoredFile) => ok(view(f)))(await uc.get.execute({ actor, id: params.id })),
  }),
  route({
    method: 'delete',
    path: '/files/:id',
    summary: 'Delete a file: its bytes and its metadata (owner or admin)',
    tags: ['files'],
    auth: 'bearer',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 404: NOT_FOUND },
    handler: async ({ actor, params }) => E.map(() => noContent())(await uc.remove.execute({ actor, id: params.id })),
  }),
];

/** Every `/files` route: metadata here, the bytes (downloads and links) in file-content.ts. */
export const fileRoutes = (uc: FileUseCases, options: FileRouteOptions): AnyRoute[] => [...fileMetadataRoutes(uc, options), ...fileContentRoutes(uc, options)];
