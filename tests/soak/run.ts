import { rm } from 'node:fs/promises';
import path from 'node:path';
import { exitWithin, launchServer, tempDir, waitReady, type ServerProcess } from '../faults/support.js';

/**
 * `npm run soak`: opt-in, never in CI. Starts the server as a real process on loopback (the
 * embedded profile in a temp directory, or whatever DATABASE_URL / REDIS_URL / S3_ENDPOINT the
 * environment passes through), measures its capacity for SOAK_PROBE_SECONDS with a closed loop of
 * SOAK_CONCURRENCY clients, then runs an open loop at half that rate for SOAK_SECONDS (300 by
 * default): creates, reads, lists and updates records, and a login now and then. It fails (exit 1)
 * on any error answer or socket error, or when the server's used heap grew more than
 * SOAK_MAX_HEAP_GROWTH (0.25) from the first to the last fifth of the run. Bounded: loopback
 * only, a fixed duration, at most SOAK_CONCURRENCY requests in flight.
 */

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = num('SOAK_SECONDS', 300);
const PROBE_SECONDS = num('SOAK_PROBE_SECONDS', 15);
const CONCURRENCY = Math.min(num('SOAK_CONCURRENCY', 8), 32);
const MAX_HEAP_GROWTH = num('SOAK_MAX_HEAP_GROWTH', 0.25);
const PASS_THROUGH = ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET'];

const user = { email: 'soak@example.com', username: 'soak_user', password: 'Quasar-tangerine-orbit-93!' };

const main = async () => {
  const workDir = await tempDir('soak');
  const env: Record<string, string> = { DATA_DIR: path.join(workDir, 'data'), LOG_LEVEL: 'warn', METRICS_ENABLED: 'true', MIGRATE_ON_START: 'true' };
  for (const name of PASS_THROUGH) if (process.env[name]) env[name] = process.env[name]!;
  const server = await launchServer(env, workDir);
  try {
    await waitReady(server, 180_000);
    await soak(server);
  } finally {
    server.child.kill('SIGTERM');
    await exitWithin(server, 30_000).catch(() => server.child.kill('SIGKILL'));
    await rm(workDir, { recursive: true, force: true });
  }
};

const soak = async (server: ServerProcess) => {
  const base = `http://127.0.0.1:${server.port}`;
  const errors: string[] = [];
  const call = async (method: string, pathname: string, body?: unknown, token?: string) => {
    try {
      const res = await fetch(`${base}${pathname}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      const json = (await res.json().catch(() => null)) as { data?: Record<string, unknown> } | null;
      if (res.status >= 400) errors.push(`${method} ${pathname}: ${res.status}`);
      return json?.data ?? null;
    } catch (error) {
      errors.push(`${method} ${pathname}: ${(error as Error).message}`);
      return null;
    }
  };
  await call('POST', '/api/v1/auth/register', user);
  const login = async () => ((await call('POST', '/api/v1/auth/login', { email: user.email, password: user.password }))?.['access_token'] as string) ?? '';
  let token = await login();

  let n = 0;
  /** One unit of the mixed workload (about four requests). */
  const unit = async () => {
    const i = n++;
    if (i % 200 === 0) token = await login();
    const created = await call('POST', '/api/v1/records', { name: `soak ${i}` }, token);
    const id = created?.['id'] as string | undefined;
    if (id) {
      await call('GET', `/api/v1/records/${id}`, undefined, token);
      await call('PATCH', `/api/v1/records/${id}`, { description: `updated ${i}` }, token);
    }
    await call('GET', '/api/v1/records?size=20', undefined, token);
  };

  // Capacity: a closed loop, CONCURRENCY units at a time.
  let done = 0;
  const probeEnd = Date.now() + PROBE_SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < probeEnd) {
      await unit();
      done++;
    }
  }));
  const capacity = done / PROBE_SECONDS;
  const rate = capacity / 2;
  console.log(`capacity ~${capacity.toFixed(1)} units/s (about 4 requests each); soaking at ${rate.toFixed(1)} units/s for ${SECONDS} s`);

  const heap: number[] = [];
  const sampleHeap = async () => {
    const text = await fetch(`${base}/metrics`).then((r) => r.text()).catch(() => '');
    const match = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text);
    if (match) heap.push(Number(match[1]));
  };
  const sampler = setInterval(() => void sampleHeap(), 5_000);
  // Open loop: units start on schedule, at most CONCURRENCY in flight (beyond that one is skipped and counted).
  let inFlight = 0;
  let skipped = 0;
  const started = Date.now();
  const end = started + SECONDS * 1000;
  const running: Promise<void>[] = [];
  for (let k = 0; Date.now() < end; k++) {
    const due = started + (k * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    if (inFlight >= CONCURRENCY) {
      skipped++;
      continue;
    }
    inFlight++;
    running.push(unit().finally(() => inFlight--));
    if (running.length > 1000) await Promise.all(running.splice(0, 500));
  }
  await Promise.all(running);
  clearInterval(sampler);
  await sampleHeap();

  const fifth = Math.max(1, Math.floor(heap.length / 5));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const first = median(heap.slice(0, fifth));
  const last = median(heap.slice(-fifth));
  const growth = first > 0 ? (last - first) / first : 0;
  console.log(`units: ${n}; skipped (over ${CONCURRENCY} in flight): ${skipped}; errors: ${errors.length}`);
  console.log(`heap used: first fifth ${(first / 2 ** 20).toFixed(1)} MiB, last fifth ${(last / 2 ** 20).toFixed(1)} MiB (${(growth * 100).toFixed(1)} %)`);
  const failures = [
    ...(errors.length > 0 ? [`${errors.length} error(s), e.g. ${errors.slice(0, 5).join('; ')}`] : []),
    ...(growth > MAX_HEAP_GROWTH ? [`heap grew ${(growth * 100).toFixed(1)} % (limit ${MAX_HEAP_GROWTH * 100} %)`] : []),
    ...(skipped > n / 10 ? [`${skipped} units skipped: the server did not keep up with half its measured capacity`] : []),
  ];
  if (failures.length > 0) {
    console.error(`soak FAILED: ${failures.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log('soak passed');
  }
};

main().catch((error: unknown) => {
  console.error('soak failed to run:', error);
  process.exit(1);
});
