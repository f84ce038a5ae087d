import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import type { ObjectStorage, PutResult } from '../../core/files/ports/object-storage.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

export interface ObjectStorageFixture {
  readonly storage: ObjectStorage;
  /** Downloads through a link as a holder without credentials would, at `now`; null when refused. */
  openLink(url: string, now: Date): Promise<Buffer | null>;
  /** Everything the store holds, finished or not (temp files, incomplete multipart uploads). */
  leftovers(): Promise<readonly string[]>;
  /** Why tampered links cannot be checked here (a test server that does not verify signatures). */
  readonly tamperCheckUnavailable?: string;
  /** The same adapter pointed at a store that cannot be reached; absent where that cannot happen. */
  unreachable?(): ObjectStorage;
  close?(): Promise<void>;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** `bytes` streamed in chunks of `chunk` bytes, the way an upload arrives. */
export async function* chunked(bytes: Buffer, chunk = 64 * KiB): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    yield bytes.subarray(offset, Math.min(offset + chunk, bytes.length));
  }
}

/** Yields `before` bytes, then fails like a client that hung up. */
export async function* cutOff(bytes: Buffer, before: number, error = new Error('client hung up')): AsyncGenerator<Uint8Array> {
  yield* chunked(bytes.subarray(0, before));
  throw error;
}

export const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
};

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const aKey = (): string => `files/${uuidv7()}`;
const stored = (result: E.Either<unknown, PutResult>): PutResult => {
  if (E.isLeft(result)) expect.fail(`expected the object to be stored, got ${JSON.stringify(result.left)}`);
  return result.right;
};

const rejection = async (work: Promise<unknown>): Promise<unknown> =>
  work.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );

/**
 * The behaviour every ObjectStorage adapter shares. `setup` runs once per adapter (it may skip
 * through the mocha context when a service is down); each test uses fresh keys.
 */
export const objectStorageContract = (name: string, setup: (ctx: Mocha.Context) => Promise<ObjectStorageFixture>): void => {
  describe(`ObjectStorage contract: ${name}`, function () {
    this.timeout(60_000);
    let fx: ObjectStorageFixture;
    const opts = (maxBytes = 64 * MiB) => ({ maxBytes, contentType: 'application/octet-stream' });

    before(async function () {
      fx = await setup(this);
    });
    after(async () => {
      await fx?.close?.();
    });

    it('stores a stream and reports the size and SHA-256 of what went through', async () => {
      const bytes = randomBytes(3 * MiB + 17);
      const key = aKey();
      const result = stored(await fx.storage.put(key, chunked(bytes), opts()));
      expect(result).to.deep.equal({ size: bytes.length, sha256: sha256(bytes) });
      const content = await fx.storage.get(key);
      expect(content?.size).to.equal(bytes.length);
      expect(content?.range).to.equal(null);
      expect(sha256(await readAll(content!.body))).to.equal(sha256(bytes));
      expect(await fx.storage.stat(key)).to.deep.equal({ size: bytes.length });
    });

    it('round-trips an object larger than a multipart part', async () => {
      const bytes = randomBytes(11 * MiB + 5);
      const key = aKey();
      expect(stored(await fx.storage.put(key, chunked(bytes, 256 * KiB), opts())).sha256).to.equal(sha256(bytes));
      expect((await readAll((await fx.storage.get(key))!.body)).equals(bytes)).to.equal(true);
    });

    it('stores an empty object', async () => {
      const key = aKey();
      expect(stored(await fx.storage.put(key, chunked(Buffer.alloc(0)), opts()))).to.deep.equal({
        size: 0,
        sha256: sha256(Buffer.alloc(0)),
      });
      expect(await fx.storage.stat(key)).to.deep.equal({ size: 0 });
    });

    it('accepts an object of exactly the cap', async () => {
      const bytes = randomBytes(100 * KiB);
      expect(stored(await fx.storage.put(aKey(), chunked(bytes), opts(bytes.length))).size).to.equal(bytes.length);
    });

    it('refuses an object over the cap and leaves nothing behind', async () => {
      const before = await fx.leftovers();
      const key = aKey();
      const result = await fx.storage.put(key, chunked(randomBytes(1 * MiB)), opts(100 * KiB));
      expect(result).to.deep.equal(E.left({ _tag: 'ObjectTooLarge', maxBytes: 100 * KiB }));
      expect(await fx.storage.stat(key)).to.equal(null);
      expect(await fx.storage.get(key)).to.equal(null);
      expect(await fx.leftovers()).to.deep.equal(before);
    });

    it('stops reading the source as soon as the cap is crossed', async () => {
      let served = 0;
      async function* endless(): AsyncGenerator<Uint8Array> {
        for (;;) {
          served += 64 * KiB;
          yield randomBytes(64 * KiB);
        }
      }
      const result = await fx.storage.put(aKey(), endless(), opts(256 * KiB));
      expect(E.isLeft(result)).to.equal(true);
      expect(served).to.be.at.most(256 * KiB + 64 * KiB);
    });

    it('leaves nothing behind when the cap is crossed after whole parts were sent', async () => {
      const before = await fx.leftovers();
      const key = aKey();
      const result = await fx.storage.put(key, chunked(randomBytes(14 * MiB), 512 * KiB), opts(12 * MiB));
      expect(E.isLeft(result)).to.equal(true);
      expect(await fx.storage.stat(key)).to.equal(null);
      expect(await fx.leftovers()).to.deep.equal(before);
    });

    it('leaves nothing behind when the source fails midway, and passes the failure on', async () => {
      const before = await fx.leftovers();
      const key = aKey();
      const failure = new Error('client hung up');
      for (const cut of [200 * KiB, 9 * MiB]) {
        const error = await rejection(fx.storage.put(key, cutOff(randomBytes(12 * MiB), cut, failure), opts()));
        expect(error).to.equal(failure);
        expect(await fx.storage.stat(key)).to.equal(null);
        expect(await fx.leftovers()).to.deep.equal(before);
      }
    });

    it('reads byte ranges, reporting the whole size', async () => {
      const bytes = randomBytes(300 * KiB);
      const key = aKey();
      stored(await fx.storage.put(key, chunked(bytes), opts()));
      for (const range of [
        { start: 0, end: 0 },
        { start: 10, end: 19 },
        { start: 100 * KiB, end: 200 * KiB - 1 },
        { start: bytes.length - 1, end: bytes.length - 1 },
        { start: 0, end: bytes.length - 1 },
      ]) {
        const content = await fx.storage.get(key, range);
        expect(content?.size).to.equal(bytes.length);
        expect(content?.range).to.deep.equal(range);
        expect((await readAll(content!.body)).equals(bytes.subarray(range.start, range.end + 1))).to.equal(true);
      }
    });

    it('answers null, not an error, for a key it does not hold', async () => {
      const key = aKey();
      expect(await fx.storage.stat(key)).to.equal(null);
      expect(await fx.storage.get(key)).to.equal(null);
      expect(await fx.storage.get(key, { start: 0, end: 9 })).to.equal(null);
      await fx.storage.delete(key);
    });

    it('deletes an object, and deleting twice is fine', async () => {
      const key = aKey();
      stored(await fx.storage.put(key, chunked(randomBytes(1000)), opts()));
      await fx.storage.delete(key);
      expect(await fx.storage.stat(key)).to.equal(null);
      expect(await fx.storage.get(key)).to.equal(null);
      await fx.storage.delete(key);
    });

    it('keeps objects under different keys apart, and replaces one on a second put', async () => {
      const [k1, k2] = [aKey(), aKey()];
      const [b1, b2, b3] = [randomBytes(10), randomBytes(20), randomBytes(30)];
      stored(await fx.storage.put(k1, chunked(b1), opts()));
      stored(await fx.storage.put(k2, chunked(b2), opts()));
      stored(await fx.storage.put(k1, chunked(b3), opts()));
      expect((await readAll((await fx.storage.get(k1))!.body)).equals(b3)).to.equal(true);
      expect((await readAll((await fx.storage.get(k2))!.body)).equals(b2)).to.equal(true);
    });

    it('lists the complete objects under a prefix written before a time, and no more', async () => {
      const listed = async (prefix: string, before: Date): Promise<string[]> => {
        const keys: string[] = [];
        for await (const object of fx.storage.list(prefix, before)) {
          expect(object.lastModified.getTime()).to.be.lessThan(before.getTime());
          keys.push(object.key);
        }
        return keys;
      };
      const [kept, gone, elsewhere] = [aKey(), aKey(), `other/${uuidv7()}`];
      for (const key of [kept, gone, elsewhere]) stored(await fx.storage.put(key, chunked(randomBytes(100)), opts()));
      await fx.storage.put(aKey(), chunked(randomBytes(200 * KiB)), opts(100 * KiB));
      await fx.storage.delete(gone);
      const hourFromNow = new Date(Date.now() + 3_600_000);
      const found = await listed('files/', hourFromNow);
      expect(found).to.include(kept);
      expect(found).to.not.include.members([gone, elsewhere]);
      expect(found.every((key) => key.startsWith('files/'))).to.equal(true);
      // Everything was written just now, so nothing is older than an hour ago.
      expect(await listed('files/', new Date(Date.now() - 3_600_000))).to.not.include(kept);
      expect(await listed('other/', hourFromNow)).to.include(elsewhere);
    });

    describe('links', () => {
      const link = async (key: string, issuedAt: Date, ttlSeconds: number) =>
        fx.storage.link(key, {
          issuedAt,
          expiresAt: new Date(issuedAt.getTime() + ttlSeconds * 1000),
          filename: 'report ü.pdf',
          contentType: 'application/pdf',
        });

      it('serves the object through a link until it expires', async () => {
        const bytes = randomBytes(5000);
        const key = aKey();
        stored(await fx.storage.put(key, chunked(bytes), opts()));
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        const url = await link(key, now, 60);
        expect((await fx.openLink(url, new Date(now.getTime() + 1000)))?.equals(bytes)).to.equal(true);
      });

      it('refuses a link once it has expired', async () => {
        const key = aKey();
        stored(await fx.storage.put(key, chunked(randomBytes(100)), opts()));
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        // Issued two minutes ago for one minute: stale now, without waiting for anything.
        const url = await link(key, new Date(now.getTime() - 120_000), 60);
        expect(await fx.openLink(url, now)).to.equal(null);
      });

      it('refuses a link whose signature was tampered with', async function () {
        if (fx.tamperCheckUnavailable !== undefined) {
          console.warn(`      (skipped: ${fx.tamperCheckUnavailable})`);
          this.skip();
        }
        const key = aKey();
        stored(await fx.storage.put(key, chunked(randomBytes(100)), opts()));
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        const url = await link(key, now, 60);
        // Not the very last character: in base64 its low bits may be padding that decodes the same.
        const at = url.length - 5;
        const tampered = url.slice(0, at) + (url[at] === 'a' ? 'b' : 'a') + url.slice(at + 1);
        expect(await fx.openLink(tampered, now)).to.equal(null);
      });

      it('refuses a link to an object deleted since', async () => {
        const key = aKey();
        stored(await fx.storage.put(key, chunked(randomBytes(100)), opts()));
        const now = new Date(Math.floor(Date.now() / 1000) * 1000);
        const url = await link(key, now, 60);
        await fx.storage.delete(key);
        expect(await fx.openLink(url, now)).to.equal(null);
      });
    });

    describe('an unreachable store', () => {
      const outage = async (work: Promise<unknown>): Promise<void> => {
        const error = await rejection(work);
        expect(error).to.be.instanceOf(DependencyUnavailableError);
        expect((error as DependencyUnavailableError).dependency).to.equal('object storage');
      };

      it('reports every operation as DependencyUnavailableError("object storage")', async function () {
        if (!fx.unreachable) this.skip();
        const storage = fx.unreachable!();
        const key = aKey();
        await outage(storage.put(key, chunked(randomBytes(1000)), opts()));
        await outage(storage.get(key));
        await outage(storage.stat(key));
        await outage(storage.delete(key));
        await outage((async () => {
          for await (const _object of storage.list('files/', new Date())) break;
        })());
      });
    });
  });
};
