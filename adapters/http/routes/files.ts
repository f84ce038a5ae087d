import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { RangeRequest } from '../../../core/files/byte-range.js';
import type { DeleteFile } from '../../../core/files/delete-file.js';
import type { DownloadFile } from '../../../core/files/download-file.js';
import type { GetFileLink } from '../../../core/files/get-file-link.js';
import type { GetFile } from '../../../core/files/get-file.js';
import type { ListFiles } from '../../../core/files/list-files.js';
import type { ObjectContent } from '../../../core/files/object-storage.js';
import type { OpenFileLink } from '../../../core/files/open-file-link.js';
import type { StoredFile } from '../../../core/files/stored-file.js';
import type { UploadFile } from '../../../core/files/upload-file.js';
import type { Actor } from '../../../core/shared/actor.js';
import { invalidField, notFound, tooLarge, type DomainError } from '../../../core/shared/errors.js';
import { isUuid } from '../../../core/shared/ids.js';
import { pageMeta, type Page } from '../../../core/shared/pagination.js';
import { Page as PageNumber, Size } from '../codecs.js';
import { sendError } from '../envelope.js';
import { IDEMPOTENCY_KEY, idempotent, type Idempotency } from '../idempotency.js';
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
}

/** Boundaries, part headers and a few small fields around the file. */
const FORM_OVERHEAD = 64 * 1024;
/** After refusing an upload, this much more is read (so the client sees the answer) before hanging up. */
const DISCARD_LIMIT = 8 * 1024 * 1024;

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
const PageMetaView = t.type({ total: t.number, page: t.number, size: t.number, pages: t.number, has_next: t.boolean, has_prev: t.boolean });
const pageView = (p: Page<StoredFile>) => {
  const m = pageMeta(p);
  return { items: p.items.map(view), meta: { total: m.total, page: m.page, size: m.size, pages: m.pages, has_next: m.hasNext, has_prev: m.hasPrev } };
};
const LinkView = t.type({ url: t.string, expires_at: t.string });

// Any string: an id that is not a UUID names no file, so it is a 404 like any other unknown id.
const IdParams = t.type({ id: t.string });
const TokenParams = t.type({ token: t.string });
const ListQuery = t.partial({ page: PageNumber, size: Size });
const fileNotFound = (): E.Either<DomainError, never> => E.left(notFound('File not found'));

/** One `bytes=` range; anything else (several ranges, other units, bad syntax) is ignored, as RFC 9110 allows. */
export const parseRange = (header: string | undefined): RangeRequest | undefined => {
  const match = header === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, from, to] = match as unknown as [string, string, string];
  if (from === '' && to === '') return undefined;
  if (from === '') return { _tag: 'Suffix', length: Number(to) };
  return { _tag: 'FromTo', start: Number(from), end: to === '' ? null : Number(to) };
};

/**
 * RFC 6266: the real name in `filename*` (UTF-8, percent-encoded) and a plain ASCII stand-in in
 * `filename` for old clients, with quotes, backslashes, percent signs and control bytes replaced.
 */
export const contentDisposition = (name: string): string => {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%/]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii || 'file'}"; filename*=UTF-8''${encoded}`;
};

/** Stops reading an upload we have answered: bounded draining so the client still gets the answer. */
const abandonUpload = (req: Request, res: Response): void => {
  if (req.complete) return;
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.unpipe();
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT) req.destroy();
  });
  req.resume();
};

class UploadAborted extends Error {
  constructor() {
    super('the client went away during the upload');
  }
}

interface IncomingFile {
  readonly filename: string;
  readonly declaredType: string | null;
  readonly body: AsyncIterable<Uint8Array>;
}

/** Streams the one `file` part of a multipart body into `store`; other parts are skipped. */
const receiveFile = <T>(
  req: Request,
  store: (file: IncomingFile) => Promise<E.Either<DomainError, T>>,
): Promise<E.Either<DomainError, T>> =>
  new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // Browsers send the file name as raw UTF-8 bytes, not the latin1 busboy assumes by default.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 20, parts: 40, fieldSize: 16 * 1024, headerPairs: 50 } });
    } catch {
      resolve(E.left(invalidField('file', 'send multipart/form-data with a `file` part')));
      return;
    }
    let started = false;
    req.on('close', () => {
      // A client that hangs up mid-upload: fail the file stream so the upload cleans up after itself.
      if (!req.complete) parser.destroy(new UploadAborted());
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || started) {
        stream.resume();
        return;
      }
      started = true;
      store({ filename: info.filename ?? '', declaredType: info.mimeType ?? null, body: stream }).then(resolve, reject);
    });
    // Once the file has started, its stream carries the failure to the upload instead.
    parser.on('error', () => {
      if (!started) resolve(E.left(invalidField('file', 'the multipart body is malformed or incomplete')));
    });
    parser.on('close', () => {
      if (!started) resolve(E.left(invalidField('file', 'is required (a multipart part named `file`)')));
    });
    req.pipe(parser);
  });

const upload = async (uc: FileUseCases, options: FileRouteOptions, actor: Actor, req: Request, res: Response): Promise<E.Either<DomainError, Reply>> => {
  const declaredLength = Number(req.get('content-length') ?? Number.NaN);
  let result: E.Either<DomainError, StoredFile>;
  try {
    result =
      declaredLength > options.maxBytes + FORM_OVERHEAD
        ? E.left(tooLarge(`Files are limited to ${options.maxBytes} bytes`))
        : await receiveFile(req, (file) => uc.upload.execute({ actor, ...file }));
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
  const file = result.right;
  return E.right(created(view(file), { Location: `/api/v1/files/${file.id}` }));
};

/** The SHA-256 of the upload's `file` part, read and discarded; null when there is none or the client left. */
const sha256OfUpload = async (req: Request, res: Response): Promise<string | null> => {
  try {
    const digest = await receiveFile(req, async (file) => {
      const hash = createHash('sha256');
      for await (const chunk of file.body) hash.update(chunk);
      return E.right(hash.digest('hex'));
    });
    if (E.isLeft(digest)) abandonUpload(req, res);
    return E.isRight(digest) ? digest.right : null;
  } catch {
    abandonUpload(req, res);
    return null;
  }
};

/** Streams stored bytes with the headers that make a browser save them rather than render them. */
const sendContent = async (req: Request, res: Response, content: ObjectContent, filename: string, contentType: string, etag?: string): Promise<Reply> => {
  const { range, size } = content;
  res.status(range ? 206 : 200);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', String(range ? range.end - range.start + 1 : size));
  res.setHeader('Accept-Ranges', 'bytes');
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  res.setHeader('Content-Disposition', contentDisposition(filename));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', 'private, no-store');
  if (etag) res.setHeader('ETag', etag);
  if (req.method === 'HEAD') {
    content.body.destroy();
    res.end();
    return HANDLED;
  }
  // A store that fails mid-body cannot change the status any more: the connection is cut instead.
  await pipeline(content.body, res).catch(() => res.destroy());
  return HANDLED;
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
            const digest = await sha256OfUpload(req, res);
            return digest !== null && digest === (stored.data as { sha256?: unknown } | null)?.sha256;
          },
        },
        'POST /files',
        () => upload(uc, options, actor, req, res),
      ),
  }),
  route({
    method: 'get',
    path: '/files',
    summary: "List the caller's files, newest first",
    tags: ['files'],
    auth: 'bearer',
    query: ListQuery,
    responses: { 200: { description: 'A page of files', data: t.type({ items: t.array(FileView), meta: PageMetaView }) } },
    handler: async ({ actor, query }) =>
      E.map((p: Page<StoredFile>) => ok(pageView(p)))(await uc.list.execute({ actor, page: { page: query.page ?? 1, size: query.size ?? 20 } })),
  }),
  route({
    method: 'get',
    path: '/files/links/:token',
    summary: 'Download through a time-limited link (no bearer token)',
    description: 'The `url` from GET /files/{id}/url when the API serves links itself (local disk). Honours `Range`.',
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
      const result = await uc.openLink.execute({ token: params.token, range: parseRange(req.get('range')) });
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
    headers: [{ name: 'Range', description: 'One byte range, e.g. `bytes=0-1023`, `bytes=1024-` or `bytes=-500`' }],
    responses: {
      200: { description: 'The bytes', contentType: 'application/octet-stream' },
      206: { description: 'The requested range', contentType: 'application/octet-stream' },
      404: NOT_FOUND,
      416: { description: 'The range lies beyond the end of the file' },
    },
    handler: async ({ actor, params, req, res }) => {
      if (!isUuid(params.id)) return fileNotFound();
      const result = await uc.download.execute({ actor, id: params.id, range: parseRange(req.get('range')) });
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
      return E.map(({ url, expiresAt }: { url: string; expiresAt: Date }) =>
        ok({ url: url.startsWith('/') ? `${req.protocol}://${req.get('host')}${url}` : url, expires_at: expiresAt.toISOString() }),
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
