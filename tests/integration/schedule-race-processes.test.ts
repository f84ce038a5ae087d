import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { freePort, spawnScript } from '../support/processes.js';
import { closeDatabase, openPostgres as openPostgresAdapter } from '../../adapters/postgres/database.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { createServerDatabase } from '../support/databases.js';
import { POSTGRES_URL, requireService } from '../support/services.js';
import { checkedFetch } from '../support/checked-fetch.js';

/**
 * Two API replicas on one Postgres, as a deployment runs them: two real server processes
 * (`composition/main/server.ts`), each with its own connection pool, sharing only the database.
 * Processes rather than two apps in this process, because what must hold is the database's
 * guarantee, not anything the two could share in memory (a lock, a queue, one pool).
 */



interface Replica {
  readonly child: ChildProcess;
  readonly base: string;
  readonly output: () => string;
}

const call = async (base: string, method: string, pathname: string, body?: unknown, token?: string) => {
  const res = await checkedFetch<{ data?: Record<string, unknown>; error?: string }>(`${base}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: res.body };
};

describe('scheduling across two API processes on one Postgres', function () {
  this.timeout(180_000);
  const replicas: Replica[] = [];
  let drop: (() => Promise<void>) | undefined;

  before(async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    const server = await createServerDatabase(POSTGRES_URL, 'portside_race');
    drop = server.drop;
    const db = openPostgresAdapter({ url: server.url });
    await migrateUp(db.sequelize);
    await closeDatabase(db);
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? os.homedir(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE: 'postgres',
      DATABASE_URL: server.url,
      SESSION_STORE: 'postgres',
      MIGRATE_ON_START: 'false',
      JWT_SECRET: randomBytes(32).toString('hex'),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      DATA_DIR: path.join(os.tmpdir(), `portside-race-${randomBytes(4).toString('hex')}`),
    };
    for (let i = 0; i < 2; i += 1) {
      const port = await freePort();
      const { child, output } = spawnScript('composition/main/server.ts', [], { ...env, PORT: String(port) }, os.tmpdir());
      replicas.push({ child, base: `http://127.0.0.1:${port}`, output });
    }
    // Readiness polling only: nothing below depends on timing.
    for (const r of replicas) {
      for (let ready = false; !ready; ) {
        if (r.child.exitCode !== null) throw new Error(`a replica exited:\n${r.output()}`);
        ready = await fetch(`${r.base}/health/ready`).then((res) => res.ok, () => false);
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });

  after(async () => {
    for (const r of replicas) {
      r.child.kill('SIGTERM');
      if (r.child.exitCode === null) await once(r.child, 'exit');
    }
    await drop?.();
  });

  const signUp = async (base: string, role: 'giver' | 'taker', n: number) => {
    const who = `${role}${n}_${randomBytes(3).toString('hex')}`;
    const password = 'correct horse battery staple';
    const registered = await call(base, 'POST', '/api/v1/auth/register', { email: `${who}@example.com`, username: who, password, role });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const login = await call(base, 'POST', '/api/v1/auth/login', { email: `${who}@example.com`, password });
    return { id: registered.body!.data!['id'] as string, token: login.body!.data!['access_token'] as string };
  };

  it('20 takers booking one slot through both replicas at once: exactly one 200, nineteen 409', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const giver = await signUp(a.base, 'giver', 0);
    const takers = await Promise.all(Array.from({ length: 20 }, (_, i) => signUp(i % 2 ? b.base : a.base, 'taker', i)));
    const starts = new Date(Date.now() + 7 * 86_400_000);
    const created = await call(a.base, 'POST', '/api/v1/schedules', {
      schedules: [{ giver_id: giver.id, starts_at: starts.toISOString(), ends_at: new Date(starts.getTime() + 3_600_000).toISOString() }],
    }, giver.token);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const slot = (created.body!.data!['schedules'] as { id: string }[])[0]!;
    const results = await Promise.all(takers.map((t, i) => call(i % 2 ? a.base : b.base, 'POST', `/api/v1/schedules/${slot.id}/book`, undefined, t.token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([200, ...Array(19).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body?.error === 'CONFLICT')).to.equal(true);
    const winner = takers[results.findIndex((r) => r.status === 200)]!;
    const stored = await call(b.base, 'GET', `/api/v1/schedules/${slot.id}`, undefined, giver.token);
    expect(stored.body!.data).to.deep.include({ status: 'booked', taker_id: winner.id, version: 2 });
  });

  it('two takers requesting overlapping times of one giver through different replicas: one 201, one 409', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const giver = await signUp(a.base, 'giver', 1);
    const [t1, t2] = await Promise.all([signUp(a.base, 'taker', 100), signUp(b.base, 'taker', 101)]);
    const at = (h: number) => new Date(Date.now() + 9 * 86_400_000 + h * 3_600_000).toISOString();
    const results = await Promise.all([
      call(a.base, 'POST', '/api/v1/schedules', { schedules: [{ giver_id: giver.id, starts_at: at(0), ends_at: at(2) }] }, t1!.token),
      call(b.base, 'POST', '/api/v1/schedules', { schedules: [{ giver_id: giver.id, starts_at: at(1), ends_at: at(3) }] }, t2!.token),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409]);
    const listed = await call(a.base, 'GET', `/api/v1/schedules?giver_id=${giver.id}`, undefined, giver.token);
    expect((listed.body!.data!['items'] as unknown[]).length).to.equal(1);
  });
});
