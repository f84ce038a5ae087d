import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { BullmqEventPublisher } from '../../adapters/bullmq/bullmq-events.js';
import { closeDatabase, openPostgres as openPostgresAdapter, type PostgresDatabase } from '../../adapters/postgres/database.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { createServerDatabase, openRedis, type TestRedis } from '../support/databases.js';
import { testBullmqSettings, waitFor } from '../support/events.js';
import { freePort, spawnScript, type ScriptProcess } from '../support/processes.js';
import { POSTGRES_URL, REDIS_URL, requireService } from '../support/services.js';
import { SseClient } from '../support/sse-client.js';

/**
 * The services profile scaled out on one machine, as a deployment runs it: two API processes
 * (`composition/main/server.ts`) and two worker processes (`composition/main/worker.ts`), real
 * processes sharing nothing but one PostgreSQL database and one Redis (sessions, rate limits,
 * the BullMQ events queue). Every assertion waits for a condition (bounded), never for a time.
 */

const PASSWORD = 'a long and unguessable passphrase 42';
const EXPORTED = 20_000;

interface Api {
  readonly name: string;
  readonly base: string;
  readonly proc: ScriptProcess;
}

type Body = { data?: Record<string, unknown> & { items?: Record<string, unknown>[] }; error?: string } | null;

const call = async (base: string, method: string, pathname: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Body };
};

/** The JSON log lines a process wrote so far (LOG_FORMAT=json). */
const logLines = (proc: ScriptProcess): Record<string, unknown>[] =>
  proc
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        return parsed !== null && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });

const stop = async (proc: ScriptProcess): Promise<void> => {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const ended = await Promise.race([proc.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000).unref())]);
  if (!ended && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
};

describe('scale-out: two API processes and two workers on one PostgreSQL and Redis', function () {
  this.timeout(240_000);
  const apis: Api[] = [];
  const workers: ScriptProcess[] = [];
  let drop: (() => Promise<void>) | undefined;
  let db: PostgresDatabase | undefined;
  let redis: TestRedis | undefined;
  let dataDir: string | undefined;
  let queuePrefix: string;
  const streams: SseClient[] = [];

  before(async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    await requireService(this, 'Redis', REDIS_URL);
    redis = await openRedis(this);
    queuePrefix = redis.prefix.replace(/:$/, '');
    const server = await createServerDatabase(POSTGRES_URL, 'portside_scale');
    drop = server.drop;
    db = openPostgresAdapter({ url: server.url, poolMax: 4 });
    await migrateUp(db.sequelize);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'portside-scale-'));
    const env = {
      NODE_ENV: 'test',
      LOG_FORMAT: 'json',
      DATABASE_URL: server.url,
      REDIS_URL,
      MIGRATE_ON_START: 'false',
      JWT_SECRET: randomBytes(32).toString('hex'),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      // Files (the export) on local disk: one directory every process shares, as a volume would be.
      DATA_DIR: dataDir,
      QUEUE_PREFIX: queuePrefix,
      // Jobs run in the workers only, so the crash test knows who runs the export.
      JOBS_RUN_IN_API: 'false',
      JOBS_LEASE_MS: '3000',
      JOBS_POLL_MS: '500',
    };
    for (const name of ['A', 'B']) {
      const port = await freePort();
      const proc = spawnScript('composition/main/server.ts', [], { ...env, LOG_LEVEL: 'warn', PORT: String(port) }, os.tmpdir());
      apis.push({ name, base: `http://127.0.0.1:${port}`, proc });
    }
    for (let i = 0; i < 2; i++) workers.push(spawnScript('composition/main/worker.ts', [], { ...env, LOG_LEVEL: 'info' }, os.tmpdir()));
    // Readiness polling only: nothing below depends on timing. Four processes loading the whole
    // application at once on a busy machine can take a while; the bound is generous.
    const ready = async (name: string, proc: ScriptProcess, check: () => Promise<boolean>) => {
      await waitFor(
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`${name} exited:\n${proc.output()}`);
          return check();
        },
        `${name} to be ready`,
        150_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; its output so far:\n${proc.output()}`);
      });
    };
    await Promise.all([
      ...apis.map((a) => ready(`API ${a.name}`, a.proc, () => fetch(`${a.base}/health/ready`).then((res) => res.ok, () => false))),
      ...workers.map((w, i) => ready(`worker ${i + 1}`, w, async () => logLines(w).some((l) => String(l['message']).startsWith('worker started')))),
    ]);
  });

  after(async () => {
    for (const s of streams) s.abort();
    await Promise.all([...apis.map((a) => stop(a.proc)), ...workers.map(stop)]);
    if (db) await closeDatabase(db);
    await drop?.();
    await redis?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (name: 'A' | 'B'): Api => apis.find((a) => a.name === name)!;

  const account = async (via: Api, role: 'giver' | 'taker', tag: string) => {
    const n = `${tag}${randomBytes(4).toString('hex')}`;
    const registered = await call(via.base, 'POST', '/api/v1/auth/register', { body: { email: `${n}@example.com`, username: n, password: PASSWORD, role } });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const login = await call(via.base, 'POST', '/api/v1/auth/login', { body: { username: n, password: PASSWORD } });
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    return { id: registered.body!.data!['id'] as string, username: n, token: login.body!.data!['access_token'] as string };
  };

  const outboxIds = async (): Promise<string[]> =>
    (await db!.sequelize.query<{ id: string }>('SELECT id FROM outbox_events ORDER BY id', { type: QueryTypes.SELECT })).map((r) => r.id);

  it('a burst of actions through both APIs: every event is delivered, handled by a worker once and audited once', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => account(i % 2 ? api('B') : api('A'), i % 2 ? 'taker' : 'giver', `burst${i}`)));
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(i % 2 ? api('A').base : api('B').base, 'POST', '/api/v1/records', { token: users[i % users.length]!.token, body: { name: `record ${i}`, config: {} } }),
      ),
    );
    expect(created.map((r) => r.status)).to.deep.equal(Array(30).fill(201));

    const ids = await outboxIds();
    // 6 registrations, 6 sign-ins, 30 records at least (modules may add events of their own).
    expect(ids.length).to.be.at.least(42);
    await waitFor(
      async () => {
        const [row] = await db!.sequelize.query<{ pending: string; audited: string }>(
          `SELECT (SELECT count(*) FROM outbox_events WHERE id IN (:ids) AND published_at IS NULL) AS pending,
                  (SELECT count(*) FROM audit_events WHERE id IN (:ids)) AS audited`,
          { type: QueryTypes.SELECT, replacements: { ids } },
        );
        return Number(row!.pending) === 0 && Number(row!.audited) === ids.length;
      },
      'every event to be relayed and audited',
      60_000,
    );
    // The audit trail holds each event exactly once, and nothing else.
    const audited = await db!.sequelize.query<{ id: string; n: string }>('SELECT id, count(*) AS n FROM audit_events WHERE id IN (:ids) GROUP BY id', {
      type: QueryTypes.SELECT,
      replacements: { ids },
    });
    expect(audited.map((r) => r.id).sort()).to.deep.equal(ids);
    expect(audited.every((r) => Number(r.n) === 1)).to.equal(true);

    // Each event became one BullMQ job (its id), which one worker ran one time: no retry, no failure.
    const queue = new BullmqEventPublisher(testBullmqSettings(redis!));
    try {
      await waitFor(async () => (await Promise.all(ids.map((id) => queue.job(id)))).every((j) => j?.state === 'completed'), 'every event job to complete', 30_000);
      const jobs = await Promise.all(ids.map((id) => queue.job(id)));
      expect(jobs.map((j) => j!.attemptsStarted)).to.deep.equal(Array(ids.length).fill(1));
      expect((await queue.counts())['failed']).to.equal(0);
    } finally {
      await queue.close();
    }
  });

  it('a session ended through API A is refused by API B on the very next request', async () => {
    const user = await account(api('A'), 'taker', 'revoke');
    expect((await call(api('B').base, 'GET', '/api/v1/auth/me', { token: user.token })).status).to.equal(200);
    expect((await call(api('A').base, 'POST', '/api/v1/auth/logout', { token: user.token })).status).to.equal(204);
    const refused = await call(api('B').base, 'GET', '/api/v1/auth/me', { token: user.token });
    expect(refused.status).to.equal(401);
    expect(refused.body?.error).to.equal('UNAUTHENTICATED');

    // One session revoking another by id, the same way.
    const first = await call(api('A').base, 'POST', '/api/v1/auth/login', { body: { username: user.username, password: PASSWORD } });
    const second = await call(api('B').base, 'POST', '/api/v1/auth/login', { body: { username: user.username, password: PASSWORD } });
    const [t1, t2] = [first.body!.data!['access_token'] as string, second.body!.data!['access_token'] as string];
    expect((await call(api('B').base, 'GET', '/api/v1/auth/me', { token: t2 })).status).to.equal(200);
    const sessions = (await call(api('B').base, 'GET', '/api/v1/auth/sessions', { token: t2 })).body!.data!;
    const list = (Array.isArray(sessions) ? sessions : sessions.items) as { id: string; current: boolean }[];
    const secondId = list.find((s) => s.current)!.id;
    expect((await call(api('A').base, 'DELETE', `/api/v1/auth/sessions/${secondId}`, { token: t1 })).status).to.equal(204);
    expect((await call(api('B').base, 'GET', '/api/v1/auth/me', { token: t2 })).status).to.equal(401);
    expect((await call(api('B').base, 'GET', '/api/v1/auth/me', { token: t1 })).status).to.equal(200);
  });

  it('an SSE client held on API A receives, once, the notification of a booking made through API B', async () => {
    const giver = await account(api('A'), 'giver', 'ssegiver');
    const taker = await account(api('B'), 'taker', 'ssetaker');
    const stream = await SseClient.open(`${api('A').base}/api/v1/notifications/stream`, { Authorization: `Bearer ${giver.token}` });
    streams.push(stream);
    expect(stream.response.status).to.equal(200);
    await stream.until((c) => c.comments.includes('connected'), 'the stream to connect');

    const starts = new Date(Date.now() + 10 * 86_400_000);
    const slot = await call(api('A').base, 'POST', '/api/v1/schedules', {
      token: giver.token,
      body: { schedules: [{ giver_id: giver.id, starts_at: starts.toISOString(), ends_at: new Date(starts.getTime() + 3_600_000).toISOString() }] },
    });
    expect(slot.status, JSON.stringify(slot.body)).to.equal(201);
    const slotId = (slot.body!.data!['schedules'] as { id: string }[])[0]!.id;
    expect((await call(api('B').base, 'POST', `/api/v1/schedules/${slotId}/book`, { token: taker.token })).status).to.equal(200);
    const kinds = () => stream.events.map((e) => (JSON.parse(e.data) as { kind: string }).kind);
    await stream.until(() => kinds().includes('schedule.booked'), 'the booking on the stream held by API A', 30_000);

    // A later notification for the same person, also caused through B: once it arrived, a
    // duplicate of the booking (which would come before it, in id order) would have too.
    expect((await call(api('B').base, 'POST', `/api/v1/schedules/${slotId}/cancel`, { token: taker.token })).status).to.equal(200);
    await stream.until(() => kinds().includes('schedule.cancelled'), 'the cancellation on the stream held by API A', 30_000);
    expect(kinds().filter((k) => k === 'schedule.booked')).to.have.length(1);
    expect(new Set(stream.events.map((e) => e.id)).size).to.equal(stream.events.length);

    const listed = await call(api('B').base, 'GET', '/api/v1/notifications', { token: giver.token });
    const booked = listed.body!.data!.items!.filter((n) => n['kind'] === 'schedule.booked');
    expect(booked.map((n) => n['id'])).to.deep.equal(stream.events.filter((e) => e.data.includes('"schedule.booked"')).map((e) => e.id));
  });

  it('a worker killed mid-export: the other worker takes the job once its lease runs out and completes it, one file for its owner', async () => {
    const owner = await account(api('A'), 'taker', 'exporter');
    await db!.sequelize.query(
      `INSERT INTO records (id, owner_id, name, description, config, status, version, created_at, updated_at, created_by, updated_by)
       SELECT gen_random_uuid(), :owner, 'exported ' || i, NULL, jsonb_build_object('i', i), 'active', 1,
              TIMESTAMPTZ '2030-01-01T00:00:00Z' + i * INTERVAL '1 second', TIMESTAMPTZ '2030-01-01T00:00:00Z' + i * INTERVAL '1 second', :owner, :owner
       FROM generate_series(1, :count) AS i`,
      { replacements: { owner: owner.id, count: EXPORTED } },
    );
    const asked = await call(api('B').base, 'POST', '/api/v1/records/export', { token: owner.token, body: { format: 'ndjson' }, headers: { 'X-Request-ID': 'scale-out-export-1' } });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(202);
    const jobId = asked.body!.data!['job_id'] as string;
    const job = async () => {
      const res = await call(api('A').base, 'GET', `/api/v1/jobs/${jobId}`, { token: owner.token });
      expect(res.status).to.equal(200);
      return res.body!.data!;
    };

    // Whichever worker claimed it says so in its log; it is killed once the export has made progress.
    const startedBy = (w: ScriptProcess) => logLines(w).some((l) => l['message'] === 'job started' && l['jobId'] === jobId);
    await waitFor(async () => workers.some(startedBy), 'a worker to start the export', 30_000);
    const victim = workers.find(startedBy)!;
    const survivor = workers.find((w) => w !== victim)!;
    await waitFor(async () => Number((await job())['progress']) > 0, 'the export to report progress', 30_000);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const cut = await job();
    expect(cut, 'the export finished before the worker could be killed').to.deep.include({ status: 'running', attempts: 1 });

    await waitFor(async () => (await job())['status'] !== 'running' || Number((await job())['attempts']) > 1, 'the survivor to take the job', 30_000);
    await waitFor(async () => ['completed', 'failed'].includes((await job())['status'] as string), 'the job to finish', 60_000);
    const done = await job();
    expect(done).to.deep.include({ status: 'completed', attempts: 2, progress: 100, error: null });
    expect(done['result']).to.deep.equal({ file_id: jobId });
    // Both workers' lines for the job name the request that asked for it.
    const started = logLines(victim).find((l) => l['message'] === 'job started' && l['jobId'] === jobId)!;
    expect(started).to.deep.include({ attempt: 1, request_id: 'scale-out-export-1' });
    const completed = logLines(survivor).filter((l) => l['message'] === 'job completed' && l['jobId'] === jobId);
    expect(completed).to.have.length(1);
    expect(completed[0]).to.deep.include({ attempt: 2, request_id: 'scale-out-export-1' });

    // One file, owned by the caller, holding every record once.
    const files = await call(api('B').base, 'GET', '/api/v1/files', { token: owner.token });
    expect(files.body!.data!.items!.map((f) => f['id'])).to.deep.equal([jobId]);
    const content = await fetch(`${api('B').base}/api/v1/files/${jobId}/content`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(content.status).to.equal(200);
    const lines = (await content.text()).split('\n').filter((l) => l !== '');
    expect(lines).to.have.length(EXPORTED);
    const names = new Set(lines.map((l) => (JSON.parse(l) as { name: string }).name));
    expect(names.size).to.equal(EXPORTED);
    const [stored] = await db!.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM files WHERE owner_id = :owner', {
      type: QueryTypes.SELECT,
      replacements: { owner: owner.id },
    });
    expect(Number(stored!.n)).to.equal(1);
  });
});
