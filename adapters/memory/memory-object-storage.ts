import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import { ByteMeter } from '../shared/byte-meter.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import type {
  ByteRange,
  LinkOptions,
  ListedObject,
  LinkTarget,
  ObjectContent,
  ObjectStat,
  ObjectStorage,
  ObjectTooLarge,
  PutOptions,
  PutResult,
} from '../../core/files/ports/object-storage.js';

interface StoredObject {
  readonly bytes: Buffer;
  readonly writtenAt: Date;
}

interface IssuedLink extends LinkTarget {
  readonly expiresAt: Date;
}

/**
 * Objects in process memory, for tests and demos. Links are random tokens remembered here and
 * served by the API, like the local-disk store's signed links.
 */
export class MemoryObjectStorage implements ObjectStorage {
  private readonly objects = new Map<string, StoredObject>();
  private readonly links = new Map<string, IssuedLink>();

  constructor(
    private readonly linkPrefix = '/api/v1/files/links/',
    /** Stamps each object's write time, which `list` filters on. */
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async put(key: string, body: AsyncIterable<Uint8Array>, options: PutOptions): Promise<E.Either<ObjectTooLarge, PutResult>> {
    const meter = new ByteMeter(options.maxBytes);
    const chunks: Uint8Array[] = [];
    for await (const chunk of meter.pass(body)) chunks.push(chunk);
    if (meter.exceeded) return E.left({ _tag: 'ObjectTooLarge', maxBytes: options.maxBytes });
    // Stored only once complete: a source that fails midway throws above and leaves nothing.
    this.objects.set(key, { bytes: Buffer.concat(chunks), writtenAt: this.clock.now() });
    return E.right({ size: meter.size, sha256: meter.sha256() });
  }

  async get(key: string, range?: ByteRange): Promise<ObjectContent | null> {
    const object = this.objects.get(key)?.bytes;
    if (!object) return null;
    const bytes = range ? object.subarray(range.start, range.end + 1) : object;
    return { body: Readable.from([bytes]), size: object.length, range: range ?? null };
  }

  async stat(key: string): Promise<ObjectStat | null> {
    const object = this.objects.get(key);
    return object ? { size: object.bytes.length } : null;
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async *list(prefix: string, writtenBefore: Date): AsyncIterable<ListedObject> {
    // A copy: the caller may delete while it iterates.
    for (const [key, object] of [...this.objects]) {
      if (key.startsWith(prefix) && object.writtenAt < writtenBefore) yield { key, lastModified: object.writtenAt };
    }
  }

  async link(key: string, options: LinkOptions): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    const { filename, contentType, expiresAt } = options;
    this.links.set(token, { key, filename, contentType, expiresAt });
    return `${this.linkPrefix}${token}`;
  }

  async resolveLink(token: string, now: Date): Promise<LinkTarget | null> {
    const link = this.links.get(token);
    if (!link || now.getTime() >= link.expiresAt.getTime()) return null;
    return { key: link.key, filename: link.filename, contentType: link.contentType };
  }

  /** Every key held, for tests that check nothing was left behind. */
  keys(): string[] {
    return [...this.objects.keys()];
  }
}
