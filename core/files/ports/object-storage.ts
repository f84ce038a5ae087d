import type { Either } from 'fp-ts/lib/Either.js';
import type { Readable } from 'node:stream';

/** Inclusive byte offsets, already checked against the object's size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutOptions {
  /** The upload stops as soon as the stream crosses this many bytes. */
  readonly maxBytes: number;
  readonly contentType: string;
}

export interface PutResult {
  readonly size: number;
  /** Lower-case hex, computed while the bytes went through. */
  readonly sha256: string;
}

export interface ObjectTooLarge {
  readonly _tag: 'ObjectTooLarge';
  readonly maxBytes: number;
}

export interface ObjectStat {
  readonly size: number;
}

export interface ObjectContent {
  readonly body: Readable;
  /** Size of the whole object, not of the range. */
  readonly size: number;
  /** The range served, or null for the whole object. */
  readonly range: ByteRange | null;
}

export interface LinkOptions {
  /** When the link starts to be valid (normally the clock's now). */
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** Name and type the download should carry; both are already safe for display. */
  readonly filename: string;
  readonly contentType: string;
}

export interface ListedObject {
  readonly key: string;
  /** When the object was last written. */
  readonly lastModified: Date;
}

/** What a link the API serves itself points at (see `resolveLink`). */
export interface LinkTarget {
  readonly key: string;
  readonly filename: string;
  readonly contentType: string;
}

/**
 * Bytes addressed by server-generated keys. Absent keys are `null`, never errors; an unreachable
 * store throws DependencyUnavailableError('object storage').
 */
export interface ObjectStorage {
  /**
   * Stores the stream under `key`. Right({size, sha256}) once the object is complete,
   * Left(ObjectTooLarge) when the stream crosses `maxBytes` (reading stops there). When it returns
   * a Left or throws (the source failed, the store went away) nothing is left under `key`.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions): Promise<Either<ObjectTooLarge, PutResult>>;
  /** `range` must lie within the object; callers resolve it against the known size first. */
  get(key: string, range?: ByteRange): Promise<ObjectContent | null>;
  stat(key: string): Promise<ObjectStat | null>;
  /** Idempotent: deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * The complete objects whose key starts with `prefix` and that were last written before
   * `writtenBefore`, in no particular order; read lazily, so a large store is never held whole.
   * For housekeeping (finding objects nothing refers to), not for serving requests.
   */
  list(prefix: string, writtenBefore: Date): AsyncIterable<ListedObject>;
  /**
   * A URL that downloads the object without any other credential until `expiresAt`. A relative
   * URL (starting with `/`) is served by this API and is resolved with `resolveLink`.
   */
  link(key: string, options: LinkOptions): Promise<string>;
  /** The target of a link this store issued for the API to serve, or null when it is forged or expired at `now`. */
  resolveLink(token: string, now: Date): Promise<LinkTarget | null>;
}
