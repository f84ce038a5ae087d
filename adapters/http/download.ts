import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { RangeRequest } from '../../core/files/entities/byte-range.js';
import type { ObjectContent } from '../../core/files/ports/object-storage.js';
import { sendError } from './envelope.js';
import { RETRY_AFTER_SECONDS, UNAVAILABLE } from './error-mapper.js';
import { HANDLED, type Reply } from './route.js';

const CONTENT_HEADERS = ['Content-Length', 'Content-Range', 'Content-Disposition', 'Content-Type', 'Accept-Ranges', 'ETag', 'Cache-Control'];

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
 * If-Range (RFC 9110 13.1.5): the strong entity tag's opaque value when the header holds one, so
 * the range is served only if it still names the current content; null for a validator that can
 * never match here (a weak tag, since If-Range compares strongly; a date, since no Last-Modified
 * is sent; anything malformed), which means the whole file; undefined when there is no If-Range.
 */
export const parseIfRange = (header: string | undefined): string | null | undefined => {
  if (header === undefined) return undefined;
  const match = /^\s*"([\x21\x23-\x7e]*)"\s*$/.exec(header);
  return match ? match[1]! : null;
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

/** Streams stored bytes with the headers that make a browser save them rather than render them. */
export const sendContent = async (req: Request, res: Response, content: ObjectContent, filename: string, contentType: string, etag?: string): Promise<Reply> => {
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
  // A client that leaves at any point releases the store's stream (a file descriptor, a connection).
  res.once('close', () => content.body.destroy());
  // The first chunk is read before anything is sent: a store that fails there still gets its
  // envelope (503). Once the status line is out it cannot change, so a later failure cuts the connection.
  const chunks = content.body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let first: IteratorResult<Uint8Array>;
  try {
    first = await chunks.next();
  } catch {
    if (res.headersSent || res.destroyed || req.destroyed) res.destroy();
    else {
      for (const name of CONTENT_HEADERS) res.removeHeader(name);
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      sendError(res, UNAVAILABLE('object storage'));
    }
    return HANDLED;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    try {
      if (first.done === true) return;
      yield first.value;
      for (;;) {
        const next = await chunks.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await chunks.return?.();
    }
  }
  await pipeline(Readable.from(rest()), res).catch(() => res.destroy());
  return HANDLED;
};
