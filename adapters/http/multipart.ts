import busboy from 'busboy';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { ByteMeter } from '../../core/files/byte-meter.js';
import { invalidField, tooLarge, type DomainError } from '../../core/shared/errors.js';

/** After refusing an upload, this much more is read (so the client sees the answer) before hanging up. */
const DISCARD_LIMIT = 8 * 1024 * 1024;

/** Stops reading an upload we have answered: bounded draining so the client still gets the answer. */
export const abandonUpload = (req: Request, res: Response): void => {
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

export class UploadAborted extends Error {
  constructor() {
    super('the client went away during the upload');
  }
}

export interface IncomingFile {
  readonly filename: string;
  readonly declaredType: string | null;
  readonly body: AsyncIterable<Uint8Array>;
}

/** Streams the one `file` part of a multipart body into `store`; other parts are skipped. */
export const receiveFile = <T>(
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

/**
 * The SHA-256 of the upload's `file` part, read and discarded: Right(null) when there is none or
 * the client left, a 413 as soon as it crosses `maxBytes` (an upload that large was never stored,
 * so reading on could only waste time; with a chunked body nothing else bounds it).
 */
export const sha256OfUpload = async (req: Request, res: Response, maxBytes: number): Promise<E.Either<DomainError, string | null>> => {
  try {
    const digest = await receiveFile(req, async (file) => {
      const meter = new ByteMeter(maxBytes);
      for await (const _chunk of meter.pass(file.body));
      return meter.exceeded ? E.left(tooLarge(`Files are limited to ${maxBytes} bytes`)) : E.right(meter.sha256());
    });
    if (E.isLeft(digest)) abandonUpload(req, res);
    if (E.isLeft(digest) && digest.left._tag === 'TooLarge') return digest;
    return E.right(E.isRight(digest) ? digest.right : null);
  } catch {
    abandonUpload(req, res);
    return E.right(null);
  }
};
