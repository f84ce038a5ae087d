import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import tar from 'tar-stream';

/**
 * The archive `export` writes and `import` reads: a gzip-compressed tar (readable by any `tar`
 * tool), with its entries in this order:
 *
 * - `portside-archive.json`: the header (format, format version, schema version), first so an
 *   import refuses an unreadable or newer archive before reading anything else;
 * - `tables/<table>/<000001>.ndjson`: each table's rows, one JSON object per line (Postgres's
 *   `row_to_json`, with JSON/JSONB columns as their text), in chunks of at most CHUNK_ROWS rows,
 *   tables in load order (parents before children);
 * - `objects/<000001>`: each object's bytes;
 * - `manifest.json`: last, once everything is counted: the header again, the applied migrations,
 *   rows and SHA-256 of every table (over its chunks in order), count, size, key, content type and
 *   SHA-256 of every object.
 */
export const FORMAT = 'portside-archive';
export const FORMAT_VERSION = 1;
export const HEADER_ENTRY = 'portside-archive.json';
export const MANIFEST_ENTRY = 'manifest.json';
export const CHUNK_ROWS = 1000;

const header = t.type({
  format: t.literal(FORMAT),
  formatVersion: t.number,
  schemaVersion: t.string,
  createdAt: t.string,
});
export type ArchiveHeader = t.TypeOf<typeof header>;

const tableEntry = t.type({ name: t.string, rows: t.number, chunks: t.number, sha256: t.string });
export type ManifestTable = t.TypeOf<typeof tableEntry>;

const objectEntry = t.type({ entry: t.string, key: t.string, size: t.number, sha256: t.string, contentType: t.string });
export type ManifestObject = t.TypeOf<typeof objectEntry>;

const manifest = t.intersection([
  header,
  t.type({
    migrations: t.array(t.string),
    source: t.type({ database: t.string, objects: t.string }),
    tables: t.array(tableEntry),
    objects: t.type({ count: t.number, bytes: t.number, items: t.array(objectEntry) }),
  }),
]);
export type Manifest = t.TypeOf<typeof manifest>;

/** The archive is not one `import` can use: unreadable, damaged, or not matching its manifest. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

const decodeJson = <A>(codec: t.Decoder<unknown, A>, bytes: Buffer, what: string): A => {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ArchiveError(`${what} is not valid JSON`);
  }
  const decoded = codec.decode(value);
  if (E.isLeft(decoded)) throw new ArchiveError(`${what} is not a Portside archive ${what === MANIFEST_ENTRY ? 'manifest' : 'header'}`);
  return decoded.right;
};

export const decodeHeader = (bytes: Buffer): ArchiveHeader => {
  const value = decodeJson(header, bytes, HEADER_ENTRY);
  if (value.formatVersion !== FORMAT_VERSION) {
    throw new ArchiveError(`the archive has format version ${value.formatVersion}; this version of Portside reads version ${FORMAT_VERSION}`);
  }
  return value;
};
export const decodeManifest = (bytes: Buffer): Manifest => decodeJson(manifest, bytes, MANIFEST_ENTRY);

export const tableChunkName = (table: string, index: number): string => `tables/${table}/${String(index).padStart(6, '0')}.ndjson`;
export const objectEntryName = (index: number): string => `objects/${String(index).padStart(6, '0')}`;

/** `tables/<name>/<n>.ndjson` → the table name, or null for another entry. */
export const tableOfEntry = (name: string): string | null => /^tables\/([^/]+)\/\d{6}\.ndjson$/.exec(name)?.[1] ?? null;

/** Writes one entry of known size from chunks, waiting whenever the archive stream is full. */
export const writeEntry = async (pack: tar.Pack, name: string, size: number, body: AsyncIterable<Uint8Array> | Buffer): Promise<void> => {
  let sink!: Writable;
  // The callback runs once the entry is complete in the archive, or with the error that ended it.
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry({ name, size, mtime: new Date(0) }, (error) => (error ? reject(error) : resolve())) as unknown as Writable;
  });
  for await (const chunk of Buffer.isBuffer(body) ? [body] : body) {
    if (!sink.write(chunk)) await Promise.race([once(sink, 'drain'), finished]);
  }
  sink.end();
  await finished;
};

export interface ArchiveEntry {
  readonly name: string;
  readonly size: number;
  /** The entry's bytes; must be read to the end (or the iteration breaks) before the next entry. */
  readonly body: AsyncIterable<Buffer>;
}

const describeReadError = (error: unknown, file: string): ArchiveError => {
  const message = (error as Error).message ?? String(error);
  if (/unexpected end of file/i.test(message)) return new ArchiveError(`${file} is truncated (the compressed stream ends early)`);
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new ArchiveError(`${file} does not exist`);
  return new ArchiveError(`${file} is damaged or not a Portside archive (${message})`);
};

/**
 * The entries of an archive file in order. Damage (a bad gzip stream, a broken tar header, a file
 * cut short) surfaces as an ArchiveError from the iteration.
 */
export async function* readArchive(file: string): AsyncGenerator<ArchiveEntry> {
  const source: Readable = createReadStream(file);
  const gunzip = createGunzip();
  const extract = tar.extract();
  const fail = (error: unknown) => extract.destroy(describeReadError(error, file));
  source.once('error', fail);
  gunzip.once('error', fail);
  source.pipe(gunzip).pipe(extract as unknown as Writable);
  let sawEnd = false;
  try {
    for await (const entry of extract) {
      const size = entry.header.size ?? 0;
      let read = 0;
      const body = (async function* () {
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          read += chunk.length;
          yield chunk;
        }
      })();
      yield { name: entry.header.name, size, body };
      // Whatever the consumer left unread is drained, so the next header can be parsed.
      for await (const _ of body) void _;
      if (read !== size) throw new ArchiveError(`${file} is truncated (entry ${entry.header.name} ends early)`);
    }
    sawEnd = true;
  } catch (error) {
    throw error instanceof ArchiveError ? error : describeReadError(error, file);
  } finally {
    if (!sawEnd) {
      source.destroy();
      gunzip.destroy();
    }
  }
}

/** Reads a whole (small) entry. */
export const readAll = async (entry: ArchiveEntry, limit = 256 * 1024 * 1024): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry.body) {
    size += chunk.length;
    if (size > limit) throw new ArchiveError(`entry ${entry.name} is larger than expected`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

/** Splits a stream of NDJSON bytes into lines (without their newline), carrying partial lines over. */
export async function* ndjsonLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  // A chunk may end inside a multi-byte character: the decoder keeps the partial bytes for the next.
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    const lines = text.split('\n');
    carry = lines.pop()!;
    for (const line of lines) if (line.length > 0) yield line;
  }
  carry += decoder.end();
  if (carry.length > 0) yield carry;
}
