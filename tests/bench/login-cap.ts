import { loadavg } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServerDatabase } from '../support/databases.js';
import { argon2PerSecond, load, portsideEnv, probe, seed, startServer, tempDir } from './http.js';
import { median, table } from './measure.js';

/**
 * `npm run bench -- login-cap`: figures 4 and 4b of `http` (login saturation, and /health's p99
 * at 100 req/s meanwhile) on the services profile, for the argon2 cap as configured by default
 * (PASSWORD_HASH_CONCURRENCY = CPUs) beside no cap (256, more than libuv's 4 pool threads), the
 * two servers taking turns in rounds. Faster than the whole `http` bench and focused on the one
 * trade-off: a core kept for the event loop against logins per second. Needs BENCH_DATABASE_URL
 * and BENCH_REDIS_URL; says skipped without them. BENCH_ROUNDS and BENCH_SECONDS as in `http`.
 */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const PROBE_RATE = 100;
const LOGIN_CONNECTIONS = 16;

export const loginCapBench = async (): Promise<void> => {
  const databaseUrl = process.env['BENCH_DATABASE_URL'];
  const redisUrl = process.env['BENCH_REDIS_URL'];
  console.log(`# login saturation with and without the argon2 cap, services profile, ${ROUNDS} rounds, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (!databaseUrl || !redisUrl) {
    console.log(`  skipped: set ${[databaseUrl ? null : 'BENCH_DATABASE_URL', redisUrl ? null : 'BENCH_REDIS_URL'].filter(Boolean).join(' and ')}`);
    return;
  }
  const db = await createServerDatabase(databaseUrl, 'portside_bench');
  const dir = tempDir();
  const base = { PROFILE: 'services', MIGRATE_ON_START: 'true', DATABASE_URL: db.url, REDIS_URL: redisUrl };
  const variants = [
    { name: 'capped (PASSWORD_HASH_CONCURRENCY default: CPUs)', env: {}, login: [] as number[], ratio: [] as number[], busy: [] as number[], slowdown: [] as number[], bad: 0 },
    { name: 'uncapped (PASSWORD_HASH_CONCURRENCY=256)', env: { PASSWORD_HASH_CONCURRENCY: '256', PASSWORD_HASH_MAX_WAITING: '1000' }, login: [] as number[], ratio: [] as number[], busy: [] as number[], slowdown: [] as number[], bad: 0 },
  ];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const v of round % 2 === 1 ? variants : [...variants].reverse()) {
        const server = await startServer(v.name, 'composition/main/server.ts', portsideEnv(join(dir, 'data'), { ...base, ...v.env }), '/health/ready');
        try {
          const fixture = await seed(server);
          await load(`${server.url}/health`, { duration: 1 });
          const direct = await argon2PerSecond();
          const idle = await probe(`${server.url}/health`, PROBE_RATE);
          let next = 0;
          const [login, busy] = await Promise.all([
            load(`${server.url}/api/v1/auth/login`, {
              connections: LOGIN_CONNECTIONS,
              requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (r) => ({ ...r, body: JSON.stringify(fixture.logins[(next += 1) % fixture.logins.length]) }) }],
            }),
            probe(`${server.url}/health`, PROBE_RATE),
          ]);
          v.login.push(login.rps);
          v.ratio.push(login.rps / direct);
          v.busy.push(busy.p99);
          v.slowdown.push(busy.p99 / Math.max(idle.p99, 1));
          v.bad += login.bad + busy.bad + idle.bad;
          console.log(
            `  round ${round} ${v.name}: ${login.rps.toFixed(0)} logins/s = ${(login.rps / direct).toFixed(2)} of direct argon2 (${direct.toFixed(0)}/s); ` +
              `/health p99 ${busy.p99.toFixed(0)} ms busy, ${idle.p99.toFixed(0)} ms idle (${(busy.p99 / Math.max(idle.p99, 1)).toFixed(1)}x); load average ${loadavg()[0]!.toFixed(1)}`,
          );
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
  const spread = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
  console.log(
    table([
      ['server', '4. logins/s', '4. ratio to direct argon2 (>= 0.8)', '4b. /health p99 busy, ms', '4b. busy / idle p99 (<= 3x)', 'non-2xx'],
      ...variants.map((v) => [v.name, spread(v.login, 0), spread(v.ratio, 2), spread(v.busy, 0), spread(v.slowdown, 1), String(v.bad)]),
    ]),
  );
};
