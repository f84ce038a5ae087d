import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bootstrap } from '../../composition/bootstrap.js';
import { buildHttpApp } from '../../composition/http.js';
import { mib, ratio, table } from './measure.js';

/**
 * Peak extra memory while a large file goes through the real upload route (HTTP, busboy, type
 * detection, local-disk storage, PGlite metadata) on the embedded profile, as a share of the file
 * size. A route that buffered the body would show 1.0x or more; a streaming one, a few percent.
 * The client runs in this process too, so its (bounded) buffers are counted against the server.
 */
const FILE_BYTES = 64 * 1024 * 1024;
/** Measured too: memory that does not grow with the file is the point, not its absolute level. */
const SMALL_BYTES = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;
const BOUNDARY = 'portside-bench-boundary';

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc (npm run bench does)');
  collect();
  collect();
};

const pngChunk = (type: string, data: Buffer, crc = Buffer.alloc(4)): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, Buffer.from(type, 'ascii'), data, crc]);
};

/** A PNG of exactly `bytes` bytes, made on demand from one random pool: the client holds no copy. */
function* aPngStream(bytes: number, hash: ReturnType<typeof createHash>): Generator<Buffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(6, 9);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const iend = pngChunk('IEND', Buffer.alloc(0));
  const head = Buffer.concat([signature, pngChunk('IHDR', header)]);
  const idatLength = bytes - head.length - 12 - iend.length;
  const idatHeader = Buffer.alloc(8);
  idatHeader.writeUInt32BE(idatLength);
  idatHeader.write('IDAT', 4, 'ascii');
  const pool = randomBytes(1024 * 1024);
  const emit = (b: Buffer) => {
    hash.update(b);
    return b;
  };
  yield emit(Buffer.concat([head, idatHeader]));
  for (let sent = 0; sent < idatLength; sent += CHUNK) {
    const start = (sent * 7) % (pool.length - CHUNK);
    yield emit(pool.subarray(start, start + Math.min(CHUNK, idatLength - sent)));
  }
  yield emit(Buffer.concat([Buffer.alloc(4), iend]));
}

interface Upload {
  readonly status: number;
  readonly body: { data?: { size?: number; sha256?: string } };
  readonly sha256: string;
}

/** POSTs a multipart upload streamed from a generator, with backpressure, over a real socket. */
const upload = async (port: number, token: string, bytes: number): Promise<Upload> => {
  const hash = createHash('sha256');
  const preamble = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const closing = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  function* body(): Generator<Buffer> {
    yield preamble;
    yield* aPngStream(bytes, hash);
    yield closing;
  }
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/files',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      'Content-Length': String(preamble.length + bytes + closing.length),
    },
  });
  const response = once(req, 'response') as Promise<[http.IncomingMessage]>;
  await pipeline(Readable.from(body(), { objectMode: false, highWaterMark: 4 * CHUNK }), req);
  const [res] = await response;
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode ?? 0, body: JSON.parse(text) as Upload['body'], sha256: hash.digest('hex') };
};

const postJson = async (port: number, path: string, body: unknown): Promise<{ data: Record<string, string> }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { data: Record<string, string> };
};

type Kind = 'rss' | 'arrayBuffers' | 'liveArrayBuffers';

interface Measured {
  readonly bytes: number;
  readonly seconds: number;
  readonly samples: number;
  readonly base: Record<Kind, number>;
  readonly extra: Record<Kind, number>;
}

/**
 * Uploads `bytes` twice from a collected baseline, sampling memory every 5 ms: once left alone (RSS,
 * throughput, buffers including garbage V8 has not collected yet) and once collecting at every
 * 10th sample, which slows the upload but shows the buffers it really holds.
 */
const measure = async (port: number, token: string, bytes: number): Promise<Measured> => {
  const plain = await pass(port, token, bytes, false);
  const collected = await pass(port, token, bytes, true);
  return { ...plain, extra: { ...plain.extra, liveArrayBuffers: collected.extra.liveArrayBuffers } };
};

const pass = async (port: number, token: string, bytes: number, collect: boolean): Promise<Measured> => {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const { rss, arrayBuffers } = process.memoryUsage();
  const base = { rss, arrayBuffers, liveArrayBuffers: arrayBuffers };
  const peak = { ...base };
  let samples = 0;
  const sample = () => {
    samples += 1;
    if (collect && samples % 10 === 0) {
      gc();
      peak.liveArrayBuffers = Math.max(peak.liveArrayBuffers, process.memoryUsage().arrayBuffers);
    }
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
  };
  const sampler = setInterval(sample, 5);
  const started = Date.now();
  let result: Upload;
  try {
    result = await upload(port, token, bytes);
  } finally {
    clearInterval(sampler);
  }
  sample();
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 201) throw new Error(`upload answered ${result.status}: ${JSON.stringify(result.body)}`);
  if (result.body.data?.size !== bytes || result.body.data.sha256 !== result.sha256) {
    throw new Error(`the stored file is not the one sent: ${JSON.stringify(result.body.data)}`);
  }
  return {
    bytes,
    seconds,
    samples,
    base,
    extra: { rss: peak.rss - base.rss, arrayBuffers: peak.arrayBuffers - base.arrayBuffers, liveArrayBuffers: peak.liveArrayBuffers - base.liveArrayBuffers },
  };
};

export const uploadMemory = async (): Promise<void> => {
  const storage = process.env['BENCH_OBJECT_STORAGE'] ?? 'local-disk';
  console.log(`# Files: memory while streaming a ${mib(FILE_BYTES)} upload through POST /api/v1/files (embedded profile, ${storage} object storage)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'portside-bench-'));
  const runtime = await bootstrap(
    {
      PROFILE: 'embedded',
      DATA_DIR: dataDir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      FILES_MAX_BYTES: String(2 * FILE_BYTES),
      FILES_QUOTA_BYTES: String(8 * FILE_BYTES),
      // BENCH_OBJECT_STORAGE=memory is the control: that store keeps every byte, and the ratios show it.
      OBJECT_STORAGE: process.env['BENCH_OBJECT_STORAGE'] ?? 'local-disk',
    },
    { migrate: true },
  );
  const server = buildHttpApp(runtime.container).listen(0, '127.0.0.1');
  try {
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const user = { email: 'bench@example.com', username: 'bench', password: 'correct horse battery staple' };
    await postJson(port, '/api/v1/auth/register', user);
    const token = (await postJson(port, '/api/v1/auth/login', { email: user.email, password: user.password })).data['access_token']!;

    // A small upload first: lazily loaded modules, pools and JIT are in the baseline, not the peak.
    const warm = await upload(port, token, 2 * 1024 * 1024);
    if (warm.status !== 201) throw new Error(`warm-up upload answered ${warm.status}: ${JSON.stringify(warm.body)}`);

    const small = await measure(port, token, SMALL_BYTES);
    const large = await measure(port, token, FILE_BYTES);
    const share = (m: Measured, k: Kind) => (Math.max(0, m.extra[k]) / m.bytes).toFixed(3);
    console.log(
      table([
        ['file', 'MiB/s', 'samples', 'extra rss', 'extra live buffers', 'extra buffers incl. garbage', 'rss / size', 'live buffers / size'],
        ...[small, large].map((m) => [
          mib(m.bytes),
          (m.bytes / 1024 / 1024 / m.seconds).toFixed(0),
          String(m.samples),
          mib(m.extra.rss),
          mib(m.extra.liveArrayBuffers),
          mib(m.extra.arrayBuffers),
          share(m, 'rss'),
          share(m, 'liveArrayBuffers'),
        ]),
      ]),
    );
    const held = (m: Measured) => Math.max(m.extra.rss, m.extra.liveArrayBuffers, 1);
    console.log(
      `  => peak extra memory / file size (${mib(FILE_BYTES)}): rss ${share(large, 'rss')}, live buffers ${share(large, 'liveArrayBuffers')}` +
        `   growth for a ${FILE_BYTES / SMALL_BYTES}x larger file: ${ratio(held(large), held(small))} (buffering would be ~${FILE_BYTES / SMALL_BYTES}x)`,
    );
    console.log(
      `  (baseline after GC: rss ${mib(large.base.rss)}, mostly PGlite's WebAssembly heap. "incl. garbage" is spent chunks V8 has not` +
        ' collected yet: bounded by its GC heuristics, not by the file. Stored size and SHA-256 checked.)',
    );
  } finally {
    server.close();
    server.closeAllConnections();
    await runtime.infra.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
