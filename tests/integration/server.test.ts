import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort, killRemaining, spawnScript } from '../support/processes.js';
import { checkedFetch } from '../support/checked-fetch.js';

/**
 * `npm start` as a user runs it: a real process, no configuration but a data directory and a
 * port, the embedded database. Run from a temp working directory so a developer's `.env` cannot
 * change what is tested.
 */

const START_BUDGET_MS = 20_000;


interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

const launch = (script: string, args: string[], env: Record<string, string>, cwd: string) => {
  const launched = spawnScript(script, args, env, cwd);
  children.add(launched.child);
  void launched.exited.then(() => children.delete(launched.child));
  return launched;
};

const get = async (port: number, pathname: string, init: RequestInit = {}) => {
  const res = await checkedFetch<{ data?: Record<string, unknown> }>(`http://127.0.0.1:${port}${pathname}`, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: res.body };
};

const post = (port: number, pathname: string, body: unknown, headers: Record<string, string> = {}) =>
  get(port, pathname, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Polls until `pathname` answers 200, failing early if the process dies. Resolves with the time taken. */
const waitFor200 = async (server: Running, pathname: string, startedAt: number): Promise<number> => {
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() - startedAt < START_BUDGET_MS) {
    if (exited) throw new Error(`the server exited before answering ${pathname}:\n${server.output()}`);
    try {
      if ((await get(server.port, pathname)).status === 200) return Date.now() - startedAt;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${pathname} did not answer 200 within ${START_BUDGET_MS} ms:\n${server.output()}`);
};

const startServer = async (dataDir: string, cwd: string): Promise<Running & { readyAfterMs: number }> => {
  const port = await freePort();
  const startedAt = Date.now();
  const server = { ...launch('composition/main/server.ts', [], { DATA_DIR: dataDir, PORT: String(port) }, cwd), port };
  await waitFor200(server, '/health', startedAt);
  const readyAfterMs = await waitFor200(server, '/health/ready', startedAt);
  return { ...server, readyAfterMs };
};

const stop = async (server: Running, signal: NodeJS.Signals) => {
  server.child.kill(signal);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no exit within 20 s of ${signal}:\n${server.output()}`)), 20_000).unref(),
  );
  return Promise.race([server.exited, timeout]);
};

describe('the server process (npm start on the embedded default)', function () {
  this.timeout(120_000);

  let workDir: string;
  let dataDir: string;
  let lockFile: string;
  let first: Running | undefined;
  let secretBefore: string;
  const user = { email: `restart-${Date.now()}@example.com`, username: `restart${Date.now()}`, password: 'Quasar-tangerine-orbit-93!' };
  let accessToken: string | undefined;

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'portside-server-'));
    dataDir = path.join(workDir, 'data');
    lockFile = path.join(dataDir, 'db', 'pgdata.lock');
  });

  after(async () => {
    // Whatever a failed test left running.
    await killRemaining(children);
    await rm(workDir, { recursive: true, force: true });
  });

  it('starts with no configuration: /health and /health/ready (database up) answer within 20 s', async () => {
    const server = await startServer(dataDir, workDir);
    first = server;
    expect(server.readyAfterMs).to.be.lessThan(START_BUDGET_MS);
    const ready = await get(server.port, '/health/ready');
    expect(ready.status).to.equal(200);
    const checks = ready.body?.data?.['checks'] as { name: string; status: string }[];
    expect(checks.map(({ name, status }) => ({ name, status }))).to.deep.equal([
      { name: 'database', status: 'up' },
      { name: 'object storage', status: 'up' },
    ]);
    expect((await get(server.port, '/health')).body?.data).to.include({ status: 'ok' });

    // The embedded database lives under DATA_DIR, locked by this process; the JWT key is kept beside it.
    expect((await readFile(lockFile, 'utf8')).trim()).to.equal(String(server.child.pid));
    secretBefore = await readFile(path.join(dataDir, 'jwt-secret'), 'utf8');
    expect(secretBefore.trim().length).to.be.greaterThanOrEqual(32);

    // The identity routes are part of the product: a 404 here is a failure, not a reason to check less.
    const registered = await post(server.port, '/api/v1/auth/register', user);
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const login = await post(server.port, '/api/v1/auth/login', { email: user.email, password: user.password });
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    accessToken = login.body?.data?.['access_token'] as string;
    expect(accessToken).to.be.a('string');
  });

  it('listens on no TCP port but its HTTP one: the embedded database is in process, not on a loopback socket', async function () {
    if (!first) this.skip();
    const pid = first.child.pid!;
    // Inodes of the sockets this process holds open...
    const fds = await readdir(`/proc/${pid}/fd`);
    const owned = new Set<string>();
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) owned.add(match[1]!);
    }
    // ...and which of them are TCP sockets in LISTEN state (st 0A), on IPv4 or IPv6.
    const listening: number[] = [];
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
      for (const line of lines) {
        const cols = line.trim().split(/\s+/);
        if (cols.length < 10 || cols[3] !== '0A' || !owned.has(cols[9]!)) continue;
        listening.push(Number.parseInt(cols[1]!.split(':')[1]!, 16));
      }
    }
    expect(listening).to.deep.equal([first.port]);
  });

  it('a second process on the same DATA_DIR (cli migrate) exits non-zero saying the database is in use', async function () {
    if (!first) this.skip();
    const cli = launch('composition/main/cli.ts', ['migrate'], { DATA_DIR: dataDir }, workDir);
    const { code } = await Promise.race([
      cli.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`cli migrate did not exit:\n${cli.output()}`)), 60_000).unref()),
    ]);
    expect(code).to.equal(1);
    expect(cli.output()).to.contain(`is in use by process ${first.child.pid}`);
    // The refused process must not have taken or removed the server's lock.
    expect((await readFile(lockFile, 'utf8')).trim()).to.equal(String(first.child.pid));
    expect((await get(first.port, '/health/ready')).status).to.equal(200);
  });

  it('SIGTERM stops it with exit code 0 and releases the embedded database lock', async function () {
    if (!first) this.skip();
    const { code, signal } = await stop(first, 'SIGTERM');
    expect({ code, signal }, first.output()).to.deep.equal({ code: 0, signal: null });
    expect(existsSync(lockFile)).to.equal(false);
    expect(first.output()).to.contain('stopped');
  });

  it('a restart on the same DATA_DIR keeps the data: same JWT key, the user can log in, old tokens still hold', async function () {
    if (!first || first.child.exitCode === null) this.skip();
    const second = await startServer(dataDir, workDir);
    expect(await readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).to.equal(secretBefore);
    const login = await post(second.port, '/api/v1/auth/login', { username: user.username, password: user.password });
    expect(login.status, JSON.stringify(login.body)).to.equal(200);
    const me = await get(second.port, '/api/v1/auth/me', { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status, JSON.stringify(me.body)).to.equal(200);
    expect(me.body?.data).to.include({ email: user.email, username: user.username });
    // SIGINT (Ctrl-C) is a graceful stop too.
    expect(await stop(second, 'SIGINT')).to.deep.equal({ code: 0, signal: null });
    expect(existsSync(lockFile)).to.equal(false);
  });
});
