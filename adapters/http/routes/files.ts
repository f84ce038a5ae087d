import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { DeleteFile } from '../../../core/files/use-cases/delete-file.js';
import type { DownloadFile } from '../../../core/files/use-cases/download-file.js';
import type { GetFileLink } from '../../../core/files/use-cases/get-file-link.js';
import type { GetFile } from '../../../core/files/use-cases/get-file.js';
import type { ListFiles } from '../../../core/files/use-cases/list-files.js';
import type { OpenFileLink } from '../../../core/files/use-cases/open-file-link.js';
import type { StoredFile } from '../../../core/files/entities/stored-file.js';
import type { UploadFile } from '../../../core/files/use-cases/upload-file.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import { notFound, tooLarge, type DomainError } from '../../../core/shared/entities/errors.js';
import { isUuid } from '../../../core/shared/ports/ids.js';
import type { Page } from '../../../core/shared/entities/pagination.js';
import { cursorQueryProps } from '../codecs.js';
import { parseIfRange, parseRange, sendContent } from '../download.js';
import { sendError } from '../envelope.js';
import { cursorPageMeta, CursorPageMetaView, pageQueryOf } from '../page-view.js';
import { IDEMPOTENCY_KEY, idempotent, type Idempotency, type Remember } from '../idempotency.js';
import { abandonUpload, receiveFile, sha256OfUpload, UploadAborted } from '../multipart.js';
import { created, HANDLED, noContent, ok, route, type AnyRoute, type Reply } from '../route.js';

export interface FileUseCases {
  readonly upload: UploadFile;
  readonly list: ListFiles;
  readonly get: GetFile;
  readonly download: DownloadFile;
  readonly link: GetFileLink;
  readonly openLink: OpenFileLink;
  readonly remove: DeleteFile;
}

export interface FileRouteOptions {
  /** FILES_MAX_BYTES: a Content-Length beyond it (plus form overhead) is refused before reading. */
  readonly maxBytes: number;
  readonly idempotency?: Idempotency | undefined;
  /**
   * PUBLIC_BASE_URL (no trailing slash): the origin put in front of the links this API serves
   * itself. Unset, the request's own protocol and Host are used, which a client can choose.
   */
  readonly publicBaseUrl?: string | undefined;
}

/** Boundaries, part headers and a few small fields around the file. */
const FORM_OVERHEAD = 64 * 1024;
const FileView = t.type({
  id: t.string,
  owner_id: t.string,
  filename: t.string,
  content_type: t.string,
  size: t.number,
  sha256: t.string,
  created_at: t.string,
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
const LinkView = t.type({ url: t.string, expires_at: t.string });

// Any string: an id that is not a UUID names no file, so it is a 404 like any other unknown id.
const IdParams = t.type({ id: t.string });
const TokenParams = t.type({ token: t.string });
const ListQuery = t.partial(cursorQueryProps);
const fileNotFound = (): E.Either<DomainError, never> => E.left(notFound('File not found'));

const createdReply = (file: StoredFile): Reply => created(view(file), { Location: `/api/v1/files/${file.id}` });

const upload = async (
  uc: FileUseCases,
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

const rangeNotSatisfiable = (res: Response, size: number): Reply => {
  res.setHeader('Content-Range', `bytes */${size}`);
  sendError(res, { status: 416, code: 'RANGE_NOT_SATISFIABLE', message: `The file is ${size} bytes long` });
  return HANDLED;
};

const NOT_FOUND = { description: "No such file, or not the caller's" };

export const fileRoutes = (uc: FileUseCases, options: FileRouteOptions): AnyRoute[] => [
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
      201: { description: 'The stored file\'s metadata', data: FileView },
      413: { description: 'Over FILES_MAX_BYTES or over the caller\'s storage quota' },
      415: { description: 'A type outside the allow-list, or bytes that are not what the part claims' },
      422: { description: 'No `file` part, or a malformed multipart body' },
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
    path: '/files/links/:token',
    summary: 'Download through a time-limited link (no bearer token)',
    description: 'The `url` from GET /files/{id}/url when the API serves links itself (local disk). Honours `Range`; with any `If-Range` the whole file is sent (the link\'s answer carries no validator to match).',
    tags: ['files'],
    auth: 'none',
    params: TokenParams,
    responses: {
      200: { description: 'The bytes', contentType: 'application/octet-stream' },
      206: { description: 'The requested range', contentType: 'application/octet-stream' },
      404: { description: 'Unknown, tampered or expired link, or the file is gone' },
      416: { description: 'The range lies beyond the end of the file' },
    },
    handler: async ({ params, req, res }) => {
      // A link's answer carries no validator, so any If-Range fails to match it: the whole file.
      const range = req.get('if-range') === undefined ? parseRange(req.get('range')) : undefined;
      const result = await uc.openLink.execute({ token: params.token, range });
      if (E.isLeft(result)) return result;
      const found = result.right;
      if (found._tag === 'RangeNotSatisfiable') return E.right(rangeNotSatisfiable(res, found.size));
      return E.right(await sendContent(req, res, found.content, found.filename, found.contentType));
    },
  }),
  route({
    method: 'get',
    path: '/files/:id',
    summary: 'Get a file\'s metadata (owner or admin)',
    tags: ['files'],
    auth: 'bearer',
    params: IdParams,
    responses: { 200: { description: 'The metadata', data: FileView }, 404: NOT_FOUND },
    handler: async ({ actor, params }) =>
      isUuid(params.id) ? E.map((f: StoredFile) => ok(view(f)))(await uc.get.execute({ actor, id: params.id })) : fileNotFound(),
  }),
  route({
    method: 'get',
    path: '/files/:id/content',
    summary: 'Download a file\'s bytes (owner or admin)',
    description: 'Streamed as an attachment with `nosniff`. Honours a single `Range: bytes=` range (206, or 416 beyond the end).',
    tags: ['files'],
    auth: 'bearer',
    params: IdParams,
    headers: [
      { name: 'Range', description: 'One byte range, e.g. `bytes=0-1023`, `bytes=1024-` or `bytes=-500`' },
      {
        name: 'If-Range',
        description:
          'The ETag of the partial copy the client holds: the range is served (206) only if it still matches, otherwise the whole ' +
          'file (200). A weak tag or a date never matches (RFC 9110 13.1.5; no Last-Modified is sent).',
      },
    ],
    responses: {
      200: { description: 'The bytes', contentType: 'application/octet-stream' },
      206: { description: 'The requested range', contentType: 'application/octet-stream' },
      404: NOT_FOUND,
      416: { description: 'The range lies beyond the end of the file' },
    },
    handler: async ({ actor, params, req, res }) => {
      if (!isUuid(params.id)) return fileNotFound();
      const ifRange = parseIfRange(req.get('if-range'));
      // The ETag is `"<sha256>"`: an If-Range tag is the checksum the client's partial copy has.
      const result = await uc.download.execute({ actor, id: params.id, range: parseRange(req.get('range')), rangeIfSha256: ifRange });
      if (E.isLeft(result)) return result;
      const found = result.right;
      if (found._tag === 'RangeNotSatisfiable') return E.right(rangeNotSatisfiable(res, found.size));
      const { file } = found;
      return E.right(await sendContent(req, res, found.content, file.filename, file.contentType, `"${file.sha256}"`));
    },
  }),
  route({
    method: 'get',
    path: '/files/:id/url',
    summary: 'Get a time-limited download link that needs no bearer token (owner or admin)',
    description: 'Anyone holding the link can download the file until `expires_at` (FILE_LINK_TTL seconds).',
    tags: ['files'],
    auth: 'bearer',
    params: IdParams,
    responses: { 200: { description: 'The link and when it stops working', data: LinkView }, 404: NOT_FOUND },
    handler: async ({ actor, params, req }) => {
      if (!isUuid(params.id)) return fileNotFound();
      const result = await uc.link.execute({ actor, id: params.id });
      const origin = options.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
      return E.map(({ url, expiresAt }: { url: string; expiresAt: Date }) =>
        ok({ url: url.startsWith('/') ? `${origin}${url}` : url, expires_at: expiresAt.toISOString() }),
      )(result);
    },
  }),
  route({
    method: 'delete',
    path: '/files/:id',
    summary: 'Delete a file: its bytes and its metadata (owner or admin)',
    tags: ['files'],
    auth: 'bearer',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 404: NOT_FOUND },
    handler: async ({ actor, params }) =>
      isUuid(params.id) ? E.map(() => noContent())(await uc.remove.execute({ actor, id: params.id })) : fileNotFound(),
  }),
];
