import type { Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { DownloadFile } from '../../../core/files/use-cases/download-file.js';
import type { GetFileLink } from '../../../core/files/use-cases/get-file-link.js';
import type { OpenFileLink } from '../../../core/files/use-cases/open-file-link.js';
import { parseIfRange, parseRange, sendContent } from '../download.js';
import { sendError } from '../envelope.js';
import { Timestamp } from '../codecs.js';
import { CONTENT_RANGE, DOWNLOAD, ETAG, UNSATISFIED_RANGE } from '../response-headers.js';
import { HANDLED, ok, route, type AnyRoute, type Reply } from '../route.js';
import { withExample } from '../schema-registry.js';

/** A file's bytes: downloads with ranges, and time-limited links. */
export interface FileContentUseCases {
  readonly download: DownloadFile;
  readonly link: GetFileLink;
  readonly openLink: OpenFileLink;
}

export interface FileContentOptions {
  /**
   * PUBLIC_BASE_URL (no trailing slash): the origin put in front of the links this API serves
   * itself. Unset, the request's own protocol and Host are used, which a client can choose.
   */
  readonly publicBaseUrl?: string | undefined;
}

const LinkView = t.type({ url: withExample(t.string, 'http://localhost:3000/api/v1/files/links/eyJmIjoiMDE5MmYxYzIifQ.c2ln'), expires_at: Timestamp });
/** Bytes are served with the type they were stored with: one of FILES_ALLOWED_TYPES, detected from them at upload. */
const STORED_TYPE = 'the stored file\'s own content type (`content_type` of its metadata, one of FILES_ALLOWED_TYPES)';
const RANGE_416 = { description: 'The range lies beyond the end of the file', headers: { 'Content-Range': UNSATISFIED_RANGE } };
// Any string: an id that is not a UUID names no file, so it is a 404 like any other unknown id.
const IdParams = t.type({ id: t.string });
const TokenParams = t.type({ token: t.string });
const NOT_FOUND = { description: "No such file, or not the caller's" };

const rangeNotSatisfiable = (res: Response, size: number): Reply => {
  res.setHeader('Content-Range', `bytes */${size}`);
  sendError(res, { status: 416, code: 'RANGE_NOT_SATISFIABLE', message: `The file is ${size} bytes long` });
  return HANDLED;
};

export const fileContentRoutes = (uc: FileContentUseCases, options: FileContentOptions): AnyRoute[] => [
  route({
    method: 'get',
    path: '/files/links/:token',
    summary: 'Download through a time-limited link (no bearer token)',
    description: 'The `url` from GET /files/{id}/url when the API serves links itself (local disk). Honours `Range`; with any `If-Range` the whole file is sent (the link\'s answer carries no validator to match).',
    tags: ['files'],
    auth: 'none',
    params: TokenParams,
    responses: {
      200: { description: `The bytes, as ${STORED_TYPE}`, contentType: '*/*', headers: DOWNLOAD },
      206: { description: `The requested range, as ${STORED_TYPE}`, contentType: '*/*', headers: { ...DOWNLOAD, 'Content-Range': CONTENT_RANGE } },
      404: { description: 'Unknown, tampered or expired link, or the file is gone' },
      416: RANGE_416,
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
      200: { description: `The bytes, as ${STORED_TYPE}; ETag is \`"<sha256>"\``, contentType: '*/*', headers: { ...DOWNLOAD, ETag: ETAG } },
      206: {
        description: `The requested range, as ${STORED_TYPE}`,
        contentType: '*/*',
        headers: { ...DOWNLOAD, ETag: ETAG, 'Content-Range': CONTENT_RANGE },
      },
      404: NOT_FOUND,
      416: RANGE_416,
    },
    handler: async ({ actor, params, req, res }) => {
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
      const result = await uc.link.execute({ actor, id: params.id });
      const origin = options.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
      return E.map(({ url, expiresAt }: { url: string; expiresAt: Date }) =>
        ok({ url: url.startsWith('/') ? `${origin}${url}` : url, expires_at: expiresAt.toISOString() }),
      )(result);
    },
  }),
];
