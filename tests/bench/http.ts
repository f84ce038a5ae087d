import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import autocannon from 'autocannon';
import { defaultTemplateCacheDir, prepareEmbeddedTemplate } from '../../adapters/postgres/embedded-template.js';
import { createServerDatabase } from '../support/databases.js';
import { median, table } from './measure.js';
import { barChart } from './svg-chart.js';

/**
 * `npm run bench -- http`: Portside over HTTP beside a bare Express 5 app, each server in a process
 * of its own (so its RSS is its own), driven by autocannon on loopback. The cases take turns in
 * rounds and every figure is printed as a ratio to its baseline measured in the same round, with
 * the median and the range over the rounds. Nothing here asserts: the targets are printed beside
 * the figures (docs/performance.md). BENCH_DATABASE_URL / BENCH_REDIS_URL add the services profile.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const CONNECTIONS = 50;
/** Logins in flight (and argon2 verifications, measured directly): enough to keep the thread pool (4 threads) busy, few enough that none waits out autocannon's timeout. */
const LOGIN_CONNECTIONS = 16;
/** The fixed rate /health is probed at to read its p99, idle and during login saturation. */
const PROBE_RATE = 100;
const COLD_STARTS = Number(process.env['BENCH_COLD_STARTS'] ?? 3);

interface Server {
  readonly label: string;
  readonly url: string;
  readonly readyMs: number;
  readonly rssAtReady: number;
  rss(): number;
  /** The end of what it wrote to stderr. */
  output(): string;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** Resident set of a process, from /proc (Linux) - the figure `ps` and `top` show. */
const rssOf = (pid: number): number => {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? Number.NaN : Number(kib) * 1024;
  } catch {
    return Number.NaN;
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `script` under tsx (as `npm start` does) and waits until `readyPath` answers 200. */
export const startServer = async (label: string, script: string, env: NodeJS.ProcessEnv, readyPath: string, nodeArgs: string[] = []): Promise<Server> => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code ?? -1;
      resolve();
    }),
  );
  for (;;) {
    if (exited !== null) throw new Error(`${label} exited (${exited}) before it was ready:\n${stderr}`);
    if (performance.now() - started > 300_000) throw new Error(`${label} was not ready within 300 s:\n${stderr}`);
    try {
      const res = await fetch(`${url}${readyPath}`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  const readyMs = performance.now() - started;
  const pid = child.pid!;
  return {
    label,
    url,
    readyMs,
    rssAtReady: rssOf(pid),
    rss: () => rssOf(pid),
    output: () => stderr,
    async stop() {
      if (exited === null) child.kill('SIGTERM');
      await Promise.race([exit, sleep(20_000)]);
      if (exited === null) child.kill('SIGKILL');
    },
  };
};

interface PortsideProfile {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export const portsideEnv = (dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  // Production defaults (JSON logs at info, metrics off); limits raised so the run measures work, not 429s.
  NODE_ENV: 'production',
  JWT_SECRET: randomBytes(48).toString('base64url'),
  DATA_DIR: dataDir,
  RATE_LIMIT_PER_MINUTE: '1000000',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  ...(process.env['UV_THREADPOOL_SIZE'] ? { UV_THREADPOOL_SIZE: process.env['UV_THREADPOOL_SIZE'] } : {}),
  ...extra,
});

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'portside-bench-'));

const embeddedProfile = (): PortsideProfile => {
  const dir = tempDir();
  return { name: 'embedded', env: portsideEnv(join(dir, 'data')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
};

const servicesProfile = async (): Promise<PortsideProfile | null> => {
  const databaseUrl = process.env['BENCH_DATABASE_URL'];
  const redisUrl = process.env['BENCH_REDIS_URL'];
  if (!databaseUrl && !redisUrl) return null;
  const dir = tempDir();
  const database = databaseUrl ? await createServerDatabase(databaseUrl, 'portside_bench') : null;
  const parts = [database ? 'PostgreSQL' : 'embedded', redisUrl ? 'Redis' : null].filter(Boolean).join(' + ');
  return {
    name: `services (${parts})`,
    env: portsideEnv(join(dir, 'data'), { PROFILE: 'services', MIGRATE_ON_START: 'true', ...(database ? { DATABASE_URL: database.url } : {}), ...(redisUrl ? { REDIS_URL: redisUrl } : {}) }),
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
      await database?.drop();
    },
  };
};

/** The parts of the envelope the bench reads. */
interface Reply {
  readonly data: { readonly access_token: string; readonly items: readonly unknown[] };
}

const api = async (server: Server, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: Reply }> => {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Reply };
};

interface Fixture {
  readonly token: string;
  /** One account per login connection: more than LOGIN_MAX_FAILURES logins of one account in flight from one address are refused (429) by design. */
  readonly logins: readonly { email: string; password: string }[];
}

/** A user with 100 records, logged in. */
export const seed = async (server: Server): Promise<Fixture> => {
  const tag = randomBytes(4).toString('hex');
  const credentials = { email: `bench-${tag}@example.com`, password: `Bench ${randomBytes(9).toString('base64url')} pass` };
  const reg = await api(server, 'POST', '/auth/register', { ...credentials, username: `bench_${tag}` });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.json)}`);
  const login = await api(server, 'POST', '/auth/login', credentials);
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.json)}`);
  const token = login.json.data.access_token as string;
  for (let i = 0; i < 100; i += 1) {
    const created = await api(server, 'POST', '/records', { name: `record ${i}` }, token);
    if (created.status !== 201) throw new Error(`create record: ${created.status} ${JSON.stringify(created.json)}`);
  }
  const page = await api(server, 'GET', '/records?size=10', undefined, token);
  if (page.status !== 200 || page.json.data.items.length !== 10) throw new Error(`list: ${page.status} ${JSON.stringify(page.json).slice(0, 300)}`);
  const logins = [credentials];
  for (let i = 1; i < LOGIN_CONNECTIONS; i += 1) {
    const more = { email: `bench-${tag}-${i}@example.com`, password: credentials.password };
    const made = await api(server, 'POST', '/auth/register', { ...more, username: `bench_${tag}_${i}` });
    if (made.status !== 201) throw new Error(`register: ${made.status} ${JSON.stringify(made.json)}`);
    logins.push(more);
  }
  return { token, logins };
};

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly bad: number;
}

const cannon = (opts: autocannon.Options): Promise<Run> =>
  new Promise((resolve, reject) => {
    autocannon(opts, (error, result) => {
      if (error) return reject(error);
      resolve({
        rps: result.requests.total / (result.duration || SECONDS),
        p50: result.latency.p50,
        p99: result.latency.p99,
        bad: result.non2xx + result.errors + result.timeouts,
      });
    });
  });

export const load = (url: string, extra: Partial<autocannon.Options> = {}): Promise<Run> =>
  cannon({ url, connections: CONNECTIONS, duration: SECONDS, ...extra });

/**
 * GET `url` at a fixed rate for SECONDS, open loop (a request leaves on schedule whether or not the
 * earlier ones came back, so a stalled server shows up as latency rather than fewer samples).
 * Plain fetch: autocannon's `overallRate` sent nothing back when it ran beside another autocannon
 * instance saturating the same server.
 */
export const probe = async (url: string, perSecond: number): Promise<Run> => {
  const latencies: number[] = [];
  let bad = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < perSecond * SECONDS; i += 1) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      fetch(url)
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) bad += 1;
          latencies.push(performance.now() - due);
        })
        .catch(() => {
          bad += 1;
        }),
    );
  }
  await Promise.all(pending);
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { rps: latencies.length / SECONDS, p50: at(0.5), p99: at(0.99), bad };
};

/** Argon2 verifications per second, in this process: same parameters (the defaults), same thread pool (libuv's, 4 threads unless UV_THREADPOOL_SIZE), as many in flight as the login run's connections. */
export const argon2PerSecond = async (): Promise<number> => {
  const hash = await argon2.hash('a password of some length', { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: LOGIN_CONNECTIONS }, async () => {
      while (performance.now() < until) {
        await argon2.verify(hash, 'a password of some length');
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
};

/** One figure over the rounds: the samples of the value and of its ratio to the baseline. */
class Figure {
  readonly values: number[] = [];
  readonly ratios: number[] = [];
  readonly p50: number[] = [];
  readonly p99: number[] = [];
  bad = 0;
  constructor(
    readonly name: string,
    readonly profile: string,
    readonly unit: string,
    readonly baseline: string,
    readonly target: string,
    /** The ratio at or above (or, when `below`, at or under) which the target holds. */
    readonly goal: number,
    readonly below = false,
  ) {}

  add(value: number, baseline: number, run?: Run): void {
    this.values.push(value);
    this.ratios.push(value / baseline);
    if (run) {
      this.p50.push(run.p50);
      this.p99.push(run.p99);
      this.bad += run.bad;
    }
  }
}

const spread = (xs: readonly number[], digits: number): string => {
  if (xs.length === 0) return '';
  const f = (x: number) => x.toFixed(digits);
  return xs.length === 1 ? f(xs[0]!) : `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
};

export const httpBench = async (): Promise<void> => {
  console.log(
    `# HTTP: bare Express 5 vs Portside, autocannon ${CONNECTIONS} connections on loopback, ${ROUNDS} rounds of ${SECONDS} s per case, ` +
      `${availableParallelism()} CPUs, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  );
  const profiles: PortsideProfile[] = [embeddedProfile()];
  const services = await servicesProfile();
  if (services) profiles.push(services);
  const servers: Server[] = [];
  const figures: Figure[] = [];
  const coldStarts: number[] = [];
  const warmStarts: number[] = [];
  const initdbStarts: number[] = [];
  try {
    // 6. Cold start: an empty DATA_DIR each time, to /health/ready 200. The migrated template
    // (postinstall) is prepared first, so each cold start copies it; 6c runs initdb and every
    // migration in place instead (EMBEDDED_TEMPLATE_DIR=off), as every cold start did before.
    await prepareEmbeddedTemplate(defaultTemplateCacheDir());
    for (let i = 0; i < COLD_STARTS; i += 1) {
      const dir = tempDir();
      try {
        const env = portsideEnv(join(dir, 'data'));
        const s = await startServer('embedded (cold)', 'composition/main/server.ts', env, '/health/ready');
        coldStarts.push(s.readyMs);
        await s.stop();
        // The same directory again: what is left once the cluster exists and is migrated.
        const again = await startServer('embedded (warm)', 'composition/main/server.ts', env, '/health/ready');
        warmStarts.push(again.readyMs);
        await again.stop();
        const initdb = await startServer('embedded (cold, no template)', 'composition/main/server.ts', portsideEnv(join(dir, 'initdb'), { EMBEDDED_TEMPLATE_DIR: 'off' }), '/health/ready');
        initdbStarts.push(initdb.readyMs);
        await initdb.stop();
        console.log(
          `  start ${i + 1}: cold ${(s.readyMs / 1000).toFixed(2)} s, warm ${(again.readyMs / 1000).toFixed(2)} s, ` +
            `cold without the template ${(initdb.readyMs / 1000).toFixed(2)} s`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const bare = await startServer('bare Express 5', 'tests/bench/bare-server.ts', {}, '/health');
    servers.push(bare);
    const portside: { profile: PortsideProfile; server: Server; fixture: Fixture }[] = [];
    for (const profile of profiles) {
      const server = await startServer(`Portside ${profile.name}`, 'composition/main/server.ts', profile.env, '/health/ready');
      servers.push(server);
      const seeding = performance.now();
      const fixture = await seed(server).catch((error: unknown) => {
        throw new Error(`seeding ${server.label} failed: ${String(error)}; its stderr:\n${server.output()}`, { cause: error });
      });
      portside.push({ profile, server, fixture });
      console.log(`  ${server.label}: ready in ${(server.readyMs / 1000).toFixed(2)} s, seeded in ${((performance.now() - seeding) / 1000).toFixed(2)} s`);
    }

    const healthVsBare = new Map<string, Figure>();
    const me = new Map<string, Figure>();
    const list = new Map<string, Figure>();
    const login = new Map<string, Figure>();
    const loginP99 = new Map<string, Figure>();
    for (const { profile } of portside) {
      const add = (map: Map<string, Figure>, f: Figure) => {
        map.set(profile.name, f);
        figures.push(f);
      };
      add(healthVsBare, new Figure('1. GET /health', profile.name, 'req/s', 'bare Express /health', '>= 0.8', 0.8));
      add(me, new Figure('2. GET /api/v1/auth/me', profile.name, 'req/s', '/health, same profile', '>= 0.5', 0.5));
      add(list, new Figure('3. GET /api/v1/records?size=10 (100 rows)', profile.name, 'req/s', '/health, same profile', '>= 0.35', 0.35));
      add(login, new Figure('4. POST /api/v1/auth/login', profile.name, 'req/s', 'argon2 verify/s direct', '>= 0.8', 0.8));
      add(loginP99, new Figure(`4b. /health p99 at ${PROBE_RATE} req/s during login`, profile.name, 'ms', 'same probe idle', '<= 3x', 3, true));
    }

    // Warm-up: JIT, pools, caches.
    await load(`${bare.url}/health`, { duration: 1 });
    for (const { server, fixture } of portside) {
      await load(`${server.url}/health`, { duration: 1 });
      await load(`${server.url}/api/v1/auth/me`, { duration: 1, headers: { authorization: `Bearer ${fixture.token}` } });
      await load(`${server.url}/api/v1/records?size=10`, { duration: 1, headers: { authorization: `Bearer ${fixture.token}` } });
    }

    let nextLogin = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      process.stdout.write(`  round ${round}/${ROUNDS}...`);
      const bareRun = await load(`${bare.url}/health`);
      for (const { profile, server, fixture } of portside) {
        const auth = { authorization: `Bearer ${fixture.token}` };
        const health = await load(`${server.url}/health`);
        healthVsBare.get(profile.name)!.add(health.rps, bareRun.rps, health);
        const meRun = await load(`${server.url}/api/v1/auth/me`, { headers: auth });
        me.get(profile.name)!.add(meRun.rps, health.rps, meRun);
        const listRun = await load(`${server.url}/api/v1/records?size=10`, { headers: auth });
        list.get(profile.name)!.add(listRun.rps, health.rps, listRun);

        const direct = await argon2PerSecond();
        const idle = await probe(`${server.url}/health`, PROBE_RATE);
        const [loginRun, busy] = await Promise.all([
          load(`${server.url}/api/v1/auth/login`, {
            connections: LOGIN_CONNECTIONS,
            requests: [
              {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                // The accounts in turn, so that about one login per account is in flight.
                setupRequest: (request) => ({ ...request, body: JSON.stringify(fixture.logins[(nextLogin += 1) % fixture.logins.length]) }),
              },
            ],
          }),
          probe(`${server.url}/health`, PROBE_RATE),
        ]);
        login.get(profile.name)!.add(loginRun.rps, direct, loginRun);
        loginP99.get(profile.name)!.values.push(busy.p99);
        loginP99.get(profile.name)!.ratios.push(busy.p99 / Math.max(idle.p99, 1));
        loginP99.get(profile.name)!.p50.push(idle.p99);
        loginP99.get(profile.name)!.p99.push(busy.p99);
        loginP99.get(profile.name)!.bad += busy.bad + idle.bad;
      }
      console.log(' done');
    }

    const rows: string[][] = [['figure', 'profile', 'value (median, min-max)', 'ratio to baseline', 'baseline', 'target', 'p50 ms', 'p99 ms', 'held']];
    const held = (f: Figure) => (f.below ? median(f.ratios) <= f.goal : median(f.ratios) >= f.goal) ? 'yes' : 'NO';
    rows.push(['0. GET /health', 'bare Express 5', '(baseline)', '', '', '', '', '', '']);
    for (const f of figures) {
      const isProbe = f.below;
      rows.push([
        f.name,
        f.profile,
        `${spread(f.values, 0)} ${f.unit}`,
        spread(f.ratios, 2),
        f.baseline,
        f.target,
        isProbe ? `idle p99 ${spread(f.p50, 0)}` : spread(f.p50, 0),
        spread(f.p99, 0),
        held(f) + (f.bad > 0 ? ` (${f.bad} non-2xx/errors!)` : ''),
      ]);
    }
    const mibOf = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
    for (const s of servers) {
      const target = s.label === 'Portside embedded' ? '<= 300 MiB' : '';
      const ok = target ? (s.rss() <= 300 * 1024 * 1024 ? 'yes' : 'NO') : '';
      rows.push(['5. server RSS after the runs', s.label, `${mibOf(s.rss())} (at ready ${mibOf(s.rssAtReady)})`, '', '', target, '', '', ok]);
    }
    rows.push([
      '6. cold start, empty DATA_DIR (template copied) -> /health/ready',
      'embedded',
      `${spread(coldStarts.map((x) => x / 1000), 2)} s`,
      '',
      '',
      '<= 2 s',
      '',
      '',
      median(coldStarts) <= 2000 ? 'yes' : 'NO',
    ]);
    rows.push(['6b. warm start, same DATA_DIR -> /health/ready', 'embedded', `${spread(warmStarts.map((x) => x / 1000), 2)} s`, '', '', '', '', '', '']);
    rows.push(['6c. cold start without the template (initdb in place)', 'embedded', `${spread(initdbStarts.map((x) => x / 1000), 2)} s`, '', '', '', '', '', '']);
    rows.push([
      '7. events end to end',
      '',
      'see `npm run bench -- events`',
      '',
      'raw BullMQ add+process',
      '>= 0.5',
      '',
      '',
      '',
    ]);
    console.log(table(rows));
    console.log(`  (the last ${PROBE_RATE} req/s probe row: value = /health p99 during login saturation; ratio = that / idle p99)`);

    const chartsDir = process.env['BENCH_CHARTS_DIR'];
    if (chartsDir) {
      mkdirSync(chartsDir, { recursive: true });
      for (const f of figures) {
        const file = join(chartsDir, `http-${f.name.split('.')[0]}-${f.profile.split(' ')[0]}.svg`);
        writeFileSync(file, barChart({ title: `${f.name} (${f.profile})`, baseline: f.baseline, ratio: median(f.ratios), min: Math.min(...f.ratios), max: Math.max(...f.ratios), target: f.goal, below: f.below }));
      }
      console.log(`  charts written to ${chartsDir}`);
    }
  } finally {
    for (const s of servers) await s.stop();
    for (const p of profiles) await p.cleanup();
  }
};
