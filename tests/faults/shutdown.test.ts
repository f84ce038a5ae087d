import { rm } from 'node:fs/promises';
import path from 'node:path';
import http from 'node:http';
import { expect } from 'chai';
import { createServerDatabase } from '../support/databases.js';
import { POSTGRES_URL, requireService } from '../support/services.js';
import { exitWithin, killLaunched, launchServer, startRedis, tempDir, waitReady, type ServerProcess, type ThrowawayRedis } from './support.js';

/**
 * SIGTERM while clients hammer the server over kept-alive connections, with one request that
 * never finishes (a body that never ends, like a stalled upload or a stream): every answered
 * request is a success or a clean 503 envelope, none is cut, the stalled one is cut at
 * SHUTDOWN_TIMEOUT_MS, and the process exits 0 before the hard deadline.
 */

const SHUTDOWN_TIMEOUT_MS = 3_000;
const user = { email: 'shutdown@example.com', username: 'shutdown_user', password: 'Quasar-tangerine-orbit-93!' };

type Outcome = { kind: 'status'; status: number; envelope: boolean } | { kind: 'error'; code: string };

/** One request on a kept-alive agent, with its outcome (status, or the socket error). */
const call = (agent: http.Agent, port: number, method: string, pathname: string, token: string | null, body?: unknown): Promise<Outcome> =>
  new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: pathname,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let envelope: boolean;
          try {
            envelope = (JSON.parse(text) as { code?: number }).code === res.statusCode;
          } catch {
            envelope = false;
          }
          resolve({ kind: 'status', status: res.statusCode ?? 0, envelope });
        });
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ kind: 'error', code: e.code ?? e.message }));
      },
    );
    // A reset on a reused keep-alive socket means the server closed that idle connection as the
    // request was being sent: the server never accepted it (Node's docs: retry such a request).
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ kind: 'error', code: req.reusedSocket && e.code === 'ECONNRESET' ? 'ECONNRESET on an idle reused socket' : (e.code ?? e.message) }),
    );
    req.end(payload);
  });

const sigtermUnderLoad = async (server: ServerProcess, clientCount: number) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  await call(agent, server.port, 'POST', '/api/v1/auth/register', null, user);
  const login = await fetch(`http://127.0.0.1:${server.port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  const token = ((await login.json()) as { data: { access_token: string } }).data.access_token;

  // A request that never completes: headers sent, body promised but never ends.
  const stalled = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/v1/records', headers: {
    'content-type': 'application/json', 'content-length': '1000', authorization: `Bearer ${token}`,
  } });
  const stalledOutcome = new Promise<string>((resolve) => {
    stalled.on('response', (res) => resolve(`status ${res.statusCode}`));
    stalled.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  stalled.write('{"name":');

  // Clients, each sending writes and reads back to back on its kept-alive connection.
  const outcomes: Outcome[] = [];
  let stop = false;
  let signalled = false;
  let sentAfterSignal = 0;
  const client = async (n: number) => {
    for (let i = 0; !stop; i++) {
      const before = signalled;
      const outcome = i % 2 === 0
        ? await call(agent, server.port, 'POST', '/api/v1/records', token, { name: `load ${n}-${i}` })
        : await call(agent, server.port, 'GET', '/api/v1/records?size=5', token);
      outcomes.push(outcome);
      if (before) sentAfterSignal++;
      // Refused (the server closed its port) or shut out with a 503: this client is done.
      if (outcome.kind === 'error' || outcome.status === 503) return;
    }
  };
  const clients = Array.from({ length: clientCount }, (_, n) => client(n));
  // Let the load run for a moment, then signal in the middle of it.
  while (outcomes.length < 10 * clientCount) await new Promise((resolve) => setTimeout(resolve, 20));
  const signalledAt = Date.now();
  signalled = true;
  server.child.kill('SIGTERM');
  const exit = await exitWithin(server, SHUTDOWN_TIMEOUT_MS + 15_000);
  const tookMs = Date.now() - signalledAt;
  stop = true;
  await Promise.all(clients);
  agent.destroy();
  return { exit, tookMs, outcomes, sentAfterSignal, stalled: await stalledOutcome };
};

const expectCleanShutdown = (result: Awaited<ReturnType<typeof sigtermUnderLoad>>, output: string) => {
  const statuses = result.outcomes.filter((o): o is Extract<Outcome, { kind: 'status' }> => o.kind === 'status');
  const errors = result.outcomes.filter((o): o is Extract<Outcome, { kind: 'error' }> => o.kind === 'error');
  // Every answered request succeeded or got the shutdown 503 envelope; no 500.
  for (const o of statuses) {
    expect([200, 201, 503], output).to.include(o.status);
    expect(o.envelope, `status ${o.status} without the envelope`).to.equal(true);
  }
  // No request the server had accepted was cut: the only socket errors are refused new connections.
  expect(errors.map((e) => e.code).filter((c) => c !== 'ECONNREFUSED' && c !== 'ECONNRESET on an idle reused socket'), output).to.deep.equal([]);
  expect(statuses.filter((o) => o.status === 503).length + errors.length).to.be.greaterThan(0);
  // The stalled request was cut at the timeout, and the process still exited 0.
  expect(result.stalled).to.match(/ECONNRESET|socket hang up/);
  expect(result.exit.code, output).to.equal(0);
  expect(result.tookMs).to.be.below(SHUTDOWN_TIMEOUT_MS + 5_000);
  expect(output).to.match(/cutting 1 request/);
  expect(output).not.to.match(/ 500\b|unhandled error|connection manager was closed/);
};

describe('faults: SIGTERM under load', function () {
  this.timeout(300_000);
  let workDir: string;
  let redis: ThrowawayRedis | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;

  beforeEach(async () => {
    workDir = await tempDir('sigterm');
  });
  afterEach(async () => {
    await killLaunched();
    await rm(workDir, { recursive: true, force: true });
  });
  after(async () => {
    await redis?.destroy();
    await database?.drop();
  });

  it('embedded profile: in-flight requests complete, the stalled one is cut at the timeout, exit 0', async () => {
    const server = await launchServer({ DATA_DIR: path.join(workDir, 'data'), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) }, workDir);
    await waitReady(server, 150_000);
    // Eight clients at once: the in-process driver serves concurrent connections without the
    // pglite-socket errors that made this one client before.
    expectCleanShutdown(await sigtermUnderLoad(server, 8), server.output());
  });

  it('Postgres and Redis profile: the same', async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    redis = await startRedis(this);
    database = await createServerDatabase(POSTGRES_URL, 'portside_sigterm');
    const server = await launchServer(
      {
        DATA_DIR: path.join(workDir, 'data'),
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        OBJECT_STORAGE: 'local-disk',
        MIGRATE_ON_START: 'true',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      workDir,
    );
    await waitReady(server, 150_000);
    expectCleanShutdown(await sigtermUnderLoad(server, 8), server.output());
  });
});
