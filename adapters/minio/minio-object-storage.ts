import { pipeline, Transform } from 'node:stream';
import { Client, S3Error } from 'minio';
import * as E from 'fp-ts/lib/Either.js';
import { ByteMeter } from '../shared/byte-meter.js';
import type {
  ByteRange,
  LinkOptions,
  LinkTarget,
  ListedObject,
  ObjectContent,
  ObjectStat,
  ObjectStorage,
  ObjectTooLarge,
  PutOptions,
  PutResult,
} from '../../core/files/ports/object-storage.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

export interface MinioOptions {
  /** `http(s)://host:port`, or `host:port` with `useSSL` deciding the scheme. */
  readonly endpoint: string;
  readonly useSSL?: boolean;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly bucket: string;
  readonly region?: string;
  /** `http://host/bucket/key` rather than `http://bucket.host/key`; MinIO and s3rver want it. */
  readonly pathStyle?: boolean;
  /** Bytes buffered per multipart part: the memory one upload can hold (S3 minimum 5 MiB). */
  readonly partSize?: number;
  /** Longest wait for one request to the store before it counts as an outage. */
  readonly timeoutMs?: number;
  /**
   * The endpoint browsers reach (`http(s)://host:port`), used only to presign links, when it
   * differs from `endpoint` (compose: the API talks to `minio:9000`, a browser to `localhost:9000`).
   * The signature covers the host, so the link must be signed for the host it will be sent to.
   */
  readonly publicEndpoint?: string | undefined;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchObject']);

const isNotFound = (error: unknown): boolean =>
  NOT_FOUND_CODES.has(String((error as { code?: unknown } | null)?.code ?? ''));

/** Anything the store answers or fails with, other than "no such key", means it cannot serve us. */
const outage = (error: unknown): unknown =>
  error instanceof DependencyUnavailableError || !(error instanceof S3Error || hasErrno(error))
    ? error
    : new DependencyUnavailableError('object storage', { cause: error });

const hasErrno = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(E[A-Z]+|UND_ERR_\w+)$/.test(code);
};

const timeout = <T>(work: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DependencyUnavailableError('object storage', { cause: new Error(`no answer in ${ms} ms`) })), ms);
    work.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });

/**
 * Never passes on more than was asked for: some S3 servers (s3rver among them) answer
 * `bytes=0-0` with the whole object.
 */
const limit = (length: number): Transform => {
  let left = length;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left > 0) this.push(chunk.subarray(0, left));
      left -= chunk.length;
      done();
    },
  });
};

/** The error reaches the reader through the stream returned by `pipeline`. */
const ignore = (): void => undefined;

const parseEndpoint = (endpoint: string, useSSL: boolean | undefined) => {
  const url = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `${useSSL ? 'https' : 'http'}://${endpoint}`);
  const ssl = url.protocol === 'https:';
  return { endPoint: url.hostname, port: url.port === '' ? (ssl ? 443 : 80) : Number(url.port), useSSL: ssl };
};

/** Objects in MinIO or any S3-compatible store, streamed in bounded parts. */
export class MinioObjectStorage implements ObjectStorage {
  private readonly client: Client;
  /** Signs links for the public endpoint; signing is local, so it never talks to that host. */
  private readonly linkClient: Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: MinioOptions) {
    this.bucket = options.bucket;
    this.partSize = Math.max(MIN_PART_SIZE, options.partSize ?? 8 * 1024 * 1024);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.client = new Client({
      ...parseEndpoint(options.endpoint, options.useSSL),
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      pathStyle: options.pathStyle ?? true,
      partSize: this.partSize,
      ...(options.region === undefined ? {} : { region: options.region }),
    });
    this.linkClient = options.publicEndpoint
      ? new Client({
          ...parseEndpoint(options.publicEndpoint, options.useSSL),
          accessKey: options.accessKey,
          secretKey: options.secretKey,
          pathStyle: options.pathStyle ?? true,
          // Known up front, or the client would ask the public host for the bucket's region.
          region: options.region ?? 'us-east-1',
        })
      : this.client;
  }

  /** Creates the bucket when it is missing; call once at start. */
  async ensureBucket(): Promise<void> {
    await this.call(async () => {
      if (!(await this.client.bucketExists(this.bucket))) {
        await this.client.makeBucket(this.bucket, this.options.region ?? 'us-east-1');
      }
    });
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions): Promise<E.Either<ObjectTooLarge, PutResult>> {
    const meter = new ByteMeter(options.maxBytes);
    const headers = { 'Content-Type': options.contentType };
    const parts: { part: number; etag: string }[] = [];
    let uploadId: string | null = null;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flushPart = async (): Promise<void> => {
      uploadId ??= await this.call(() => this.client.initiateNewMultipartUpload(this.bucket, key, headers));
      const payload = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      const part = parts.length + 1;
      const config = { bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} };
      const { etag } = await this.call(() => this.client.uploadPart(config, payload));
      parts.push({ part, etag });
    };
    try {
      // Source failures pass through unchanged; store failures come out of `call` as outages.
      for await (const chunk of meter.pass(body)) {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= this.partSize) await flushPart();
      }
      if (meter.exceeded) {
        if (uploadId !== null) await this.abort(key, uploadId);
        return E.left({ _tag: 'ObjectTooLarge', maxBytes: options.maxBytes });
      }
      if (uploadId === null) {
        const payload = Buffer.concat(pending);
        await this.call(() => this.client.putObject(this.bucket, key, payload, payload.length, headers));
      } else {
        if (pendingBytes > 0) await flushPart();
        const id: string = uploadId;
        await this.call(() => this.client.completeMultipartUpload(this.bucket, key, id, parts));
      }
      return E.right({ size: meter.size, sha256: meter.sha256() });
    } catch (error) {
      if (uploadId !== null) await this.abort(key, uploadId);
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectContent | null> {
    try {
      const { size } = await this.call(() => this.client.statObject(this.bucket, key));
      const body = await this.call(() =>
        range === undefined
          ? this.client.getObject(this.bucket, key)
          : this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1),
      );
      // pipeline, not pipe: a store that fails mid-body must fail the stream the caller reads (pipe
      // would leave it waiting forever, or the error unhandled), and a caller that stops must free the connection.
      return { body: range === undefined ? body : pipeline(body, limit(range.end - range.start + 1), ignore), size, range: range ?? null };
    } catch (error) {
      if (isNotFound(error) || isNotFound((error as { cause?: unknown }).cause)) return null;
      throw error;
    }
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      const { size } = await this.call(() => this.client.statObject(this.bucket, key));
      return { size };
    } catch (error) {
      if (isNotFound(error) || isNotFound((error as { cause?: unknown }).cause)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.call(() => this.client.removeObject(this.bucket, key));
    } catch (error) {
      if (!(isNotFound(error) || isNotFound((error as { cause?: unknown }).cause))) throw error;
    }
  }

  async link(key: string, options: LinkOptions): Promise<string> {
    // S3 counts from the signing time in whole seconds.
    const issuedAt = new Date(Math.floor(options.issuedAt.getTime() / 1000) * 1000);
    const seconds = Math.max(1, Math.round((options.expiresAt.getTime() - issuedAt.getTime()) / 1000));
    const respHeaders = {
      'response-content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(options.filename)}`,
      'response-content-type': options.contentType,
    };
    return this.call(() => this.linkClient.presignedGetObject(this.bucket, key, seconds, respHeaders, issuedAt));
  }

  /** Page by page (1000 keys a request), each page under the same timeout as any other call. */
  async *list(prefix: string, writtenBefore: Date): AsyncIterable<ListedObject> {
    let continuation = '';
    for (;;) {
      const token = continuation;
      const page = await this.call(() => this.client.listObjectsV2Query(this.bucket, prefix, token, '', 1000, ''));
      for (const item of page.objects) {
        if (item.name !== undefined && item.lastModified < writtenBefore) yield { key: item.name, lastModified: item.lastModified };
      }
      if (!page.isTruncated || !page.nextContinuationToken) return;
      continuation = page.nextContinuationToken;
    }
  }

  /** Presigned links go straight to the store; none come back through the API. */
  async resolveLink(): Promise<LinkTarget | null> {
    return null;
  }

  private async abort(key: string, uploadId: string): Promise<void> {
    await this.call(() => this.client.abortMultipartUpload(this.bucket, key, uploadId)).catch(() => undefined);
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await timeout(work(), this.timeoutMs);
    } catch (error) {
      throw isNotFound(error) ? error : outage(error);
    }
  }
}
