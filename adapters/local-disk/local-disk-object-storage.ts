import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

export interface LocalDiskOptions {
  /** Objects go under `<root>/objects`, uploads in progress under `<root>/tmp`. */
  readonly root: string;
  /** HMAC-SHA256 key for the links the API serves; at least 32 bytes. */
  readonly linkSecret: Buffer;
  /** Where the API serves links: the token is appended. */
  readonly linkPrefix?: string;
}

const isMissing = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'ENOENT';

const missingAsNull = (error: unknown): null => {
  if (isMissing(error)) return null;
  throw outage(error);
};

/** Beside each object, the key it was stored under (the object's own name is the key's hash). */
const KEY_SUFFIX = '.key';

const outage = (error: unknown): DependencyUnavailableError =>
  error instanceof DependencyUnavailableError ? error : new DependencyUnavailableError('object storage', { cause: error });

/**
 * Objects as files under a root directory: the embedded default. A key never becomes a path
 * itself; its SHA-256 does, so no key can climb out of the root or collide with a temp file. The
 * key is kept beside the object in `<sha256>.key`, written before the object appears, so that
 * `list` can name what it finds.
 */
export class LocalDiskObjectStorage implements ObjectStorage {
  private readonly objects: string;
  private readonly tmp: string;
  private readonly linkPrefix: string;

  constructor(private readonly options: LocalDiskOptions) {
    if (options.linkSecret.length < 32) throw new Error('the link secret must be at least 32 bytes');
    this.objects = path.resolve(options.root, 'objects');
    this.tmp = path.resolve(options.root, 'tmp');
    this.linkPrefix = options.linkPrefix ?? '/api/v1/files/links/';
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions): Promise<E.Either<ObjectTooLarge, PutResult>> {
    const meter = new ByteMeter(options.maxBytes);
    const partial = path.join(this.tmp, `${randomUUID()}.part`);
    let sourceError: unknown = null;
    // Source failures (a client that hung up) pass through as they are; disk failures are outages.
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* meter.pass(body);
      } catch (error) {
        sourceError = error ?? new Error('upload source failed');
        throw error;
      }
    }
    try {
      await mkdir(this.tmp, { recursive: true });
      await pipeline(Readable.from(source()), createWriteStream(partial, { flags: 'wx' }));
      if (meter.exceeded) {
        await rm(partial, { force: true });
        return E.left({ _tag: 'ObjectTooLarge', maxBytes: options.maxBytes });
      }
      const target = this.pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(`${target}${KEY_SUFFIX}`, key, 'utf8');
      await rename(partial, target);
      return E.right({ size: meter.size, sha256: meter.sha256() });
    } catch (error) {
      await rm(partial, { force: true }).catch(() => undefined);
      throw sourceError !== null ? sourceError : outage(error);
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectContent | null> {
    try {
      // One descriptor for stat and read, so a concurrent delete cannot split them.
      const handle = await open(this.pathOf(key), 'r');
      try {
        const { size } = await handle.stat();
        const body = handle.createReadStream({ start: range?.start, end: range?.end, autoClose: true });
        return { body, size, range: range ?? null };
      } catch (error) {
        await handle.close();
        throw error;
      }
    } catch (error) {
      if (isMissing(error)) return null;
      throw outage(error);
    }
  }

  /**
   * Removes partial uploads last written before `olderThan`: a crash mid-upload leaves its `.part`
   * file behind, and nothing else would ever delete it. Not part of the port; maintenance calls it.
   */
  async purgeAbandonedUploads(olderThan: Date): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tmp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names.filter((n) => n.endsWith('.part'))) {
      const file = path.join(this.tmp, name);
      const info = await stat(file).catch(() => null);
      if (info && info.mtime < olderThan) {
        await rm(file, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async stat(key: string): Promise<ObjectStat | null> {
    try {
      return { size: (await stat(this.pathOf(key))).size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw outage(error);
    }
  }

  async delete(key: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      await unlink(target).catch(missingAsNull);
      // Also when the object is missing: a crash between the two writes of `put` leaves the key alone.
      await rm(`${target}${KEY_SUFFIX}`, { force: true });
    } catch (error) {
      throw outage(error);
    }
  }

  /** Objects stored before keys were kept beside them (no `.key` file) cannot be named and are skipped. */
  async *list(prefix: string, writtenBefore: Date): AsyncIterable<ListedObject> {
    for (const level1 of await this.entries(this.objects)) {
      for (const level2 of await this.entries(path.join(this.objects, level1))) {
        const dir = path.join(this.objects, level1, level2);
        for (const name of await this.entries(dir)) {
          if (name.endsWith(KEY_SUFFIX)) continue;
          const file = path.join(dir, name);
          const [info, key] = await Promise.all([
            stat(file).catch(missingAsNull),
            readFile(`${file}${KEY_SUFFIX}`, 'utf8').catch(missingAsNull),
          ]);
          if (info && key !== null && key.startsWith(prefix) && info.mtime < writtenBefore) yield { key, lastModified: info.mtime };
        }
      }
    }
  }

  async link(key: string, options: LinkOptions): Promise<string> {
    const payload = Buffer.from(
      JSON.stringify([key, options.expiresAt.getTime(), options.filename, options.contentType]),
      'utf8',
    ).toString('base64url');
    return `${this.linkPrefix}${payload}.${this.sign(payload)}`;
  }

  async resolveLink(token: string, now: Date): Promise<LinkTarget | null> {
    const [payload, signature, extra] = token.split('.');
    if (payload === undefined || signature === undefined || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const [key, expiresAt, filename, contentType] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
      if (typeof key !== 'string' || typeof expiresAt !== 'number' || typeof filename !== 'string' || typeof contentType !== 'string') {
        return null;
      }
      return now.getTime() < expiresAt ? { key, filename, contentType } : null;
    } catch {
      return null;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.options.linkSecret).update(`portside-file-link:${payload}`).digest('base64url');
  }

  /** Names in a directory; none when it is missing (nothing stored yet, or deleted meanwhile). */
  private async entries(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw outage(error);
    }
  }

  private pathOf(key: string): string {
    const digest = createHash('sha256').update(key, 'utf8').digest('hex');
    return path.join(this.objects, digest.slice(0, 2), digest.slice(2, 4), digest);
  }
}
