import busboy from 'busboy';
import type { Request, Response } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { ByteMeter } from '../shared/byte-meter.js';
import { invalidField, tooLarge, type DomainError } from '../../core/shared/entities/errors.js';

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

const MALFORMED_MESSAGE = 'the multipart body is malformed or ended before its closing boundary';

export class UploadAborted extends Error {
  constructor() {
    super('the client went away during the upload');
  }
}

/** The multipart body broke its own framing: it ended before the closing boundary, or a part is malformed. */
export class MalformedUpload extends Error {
  constructor(cause: unknown) {
    super(MALFORMED_MESSAGE, { cause });
  }
}

const MALFORMED = (): DomainError => invalidField('file', MALFORMED_MESSAGE);
const isMalformed = (error: DomainError): boolean => error._tag === 'Validation' && error.issues[0]?.message === MALFORMED_MESSAGE;

export interface IncomingFile {
  readonly filename: string;
  readonly declaredType: string | null;
  /**
   * The part's bytes. It ends only once the whole form has been read and found well formed, so a
   * body cut before its closing boundary fails here (MalformedUpload) and is never stored as complete;
   * a client that hangs up fails it with UploadAborted.
   */
  readonly body: AsyncIterable<Uint8Array>;
}

const ignore = (): void => undefined;

/**
 * Streams the one `file` part of a multipart body into `store`; other parts are skipped. Every
 * stream busboy hands out gets an `error` listener at once (an errored stream nobody listens to
 * kills the process), and a form that breaks its framing is a 422 rather than a thrown error.
 */
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
    // Settles once the parser has read the whole form (Right) or given up on it (the reason).
    const formEnd = new Promise<unknown>((settle) => {
      parser.on('error', (error: unknown) => settle(error ?? new Error('multipart parser failed')));
      parser.on('close', () => settle(null));
    });
    // Only a request that went away is an abort (nobody to answer); any other parser failure is the body's fault.
    const classify = (error: unknown): Error =>
      error instanceof UploadAborted || error instanceof MalformedUpload
        ? error
        : req.destroyed && !req.complete
          ? new UploadAborted()
          : new MalformedUpload(error);
    req.on('close', () => {
      // A client that hangs up mid-upload: fail the file stream so the upload cleans up after itself.
      if (!req.complete) parser.destroy(new UploadAborted());
    });
    parser.on('file', (name, stream, info) => {
      stream.on('error', ignore);
      if (name !== 'file' || started) {
        stream.resume();
        return;
      }
      started = true;
      async function* body(): AsyncGenerator<Uint8Array> {
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
        } catch (error) {
          throw classify(error);
        }
        // The part ended; the form must end properly too before the bytes count as complete.
        const failure = await formEnd;
        if (failure !== null) throw classify(failure);
      }
      store({ filename: info.filename ?? '', declaredType: info.mimeType ?? null, body: body() }).then(resolve, (error: unknown) =>
        error instanceof MalformedUpload ? resolve(E.left(MALFORMED())) : reject(error),
      );
    });
    void formEnd.then((failure) => {
      if (started) return; // Once the file has started, its body carries the failure to the upload instead.
      resolve(E.left(failure === null ? invalidField('file', 'is required (a multipart part named `file`)') : MALFORMED()));
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
    // Too large, truncated or malformed: answered as such; a form without a file part is simply another body.
    if (E.isLeft(digest) && (digest.left._tag === 'TooLarge' || isMalformed(digest.left))) return digest;
    return E.right(E.isRight(digest) ? digest.right : null);
  } catch {
    abandonUpload(req, res);
    return E.right(null);
  }
};
