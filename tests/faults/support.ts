import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, killRemaining, spawnScript } from '../support/processes.js';
import { ciMandatory } from '../support/services.js';

/**
 * Throwaway services for the fault suite: each test breaks instances it started itself (a Redis
 * on its own port, a PostgreSQL cluster in a temp directory, an s3rver), never the machine's
 * shared services.
 */

const run = promisify(execFile);
export { freePort };

const which = async (binary: string): Promise<string | null> => {
  try {
    return (await run('sh', ['-c', `command -v ${binary}`])).stdout.trim() || null;
  } catch {
    return null;
  }
};

/** Skips (or fails under CI=true) when a binary the fault needs is not installed. */
export const requireBinary = async (ctx: Mocha.Context, binary: string | null, name: string): Promise<string> => {
  if (binary) return binary;
  if (ciMandatory()) throw new Error(`${name} is required under CI=true but is not installed`);
  console.warn(`\n  ⚠ ${name} is not installed: this fault test is SKIPPED (mandatory under CI=true)\n`);
  ctx.skip();
};

/** Polls `check` until it holds or `ms` passes (waiting for a real process, not for time itself). */
export const eventually = async (check: () => Promise<boolean>, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const reachable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export interface ThrowawayRedis {
  readonly url: string;
  /** Kills the server (SIGKILL): clients see their connections reset. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data (append-only file, fsync always). */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export const startRedis = async (ctx: Mocha.Context): Promise<ThrowawayRedis> => {
  const binary = await requireBinary(ctx, await which('redis-server'), 'redis-server');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portside-fault-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], {
      stdio: 'ignore',
    });
    await eventually(() => reachable(port), 10_000, 'redis-server start');
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGKILL');
    await once(c, 'exit');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export interface ThrowawayPostgres {
  readonly url: string;
  /** `pg_ctl stop -m immediate`: every connection dies at once, as in a crash. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const postgresBin = (): string | null => {
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    return versions.length > 0 ? `/usr/lib/postgresql/${versions[0]}/bin` : null;
  } catch {
    return null;
  }
};

/**
 * A PostgreSQL cluster in a temp directory on its own port. PostgreSQL refuses to run as root,
 * so when the tests run as root it is run through `runuser -u postgres`.
 */
export const startPostgres = async (ctx: Mocha.Context): Promise<ThrowawayPostgres> => {
  const bin = await requireBinary(ctx, postgresBin(), 'PostgreSQL server binaries (/usr/lib/postgresql/*/bin)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portside-fault-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (command: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args));
  const data = path.join(dir, 'data');
  const port = await freePort();
  await as(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const start = async () => {
    await as(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
  };
  const stop = async () => {
    await as(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const launched = new Set<ChildProcess>();

/** `npm start` as a real process, with only the given environment (no developer `.env`). */
export const launchServer = async (env: Record<string, string>, cwd: string): Promise<ServerProcess> => {
  const port = env['PORT'] ? Number(env['PORT']) : await freePort();
  const { child, output, exited } = spawnScript(
    'composition/main/server.ts',
    [],
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    cwd,
  );
  launched.add(child);
  void exited.then(() => launched.delete(child));
  return { child, port, output, exited };
};

/** Waits until the server answers /health/ready with 200, failing early if it exits. */
export const waitReady = async (server: ServerProcess, ms = 30_000): Promise<void> => {
  let exited = false;
  void server.exited.then(() => (exited = true));
  await eventually(
    async () => {
      if (exited) throw new Error(`the server exited:\n${server.output()}`);
      const res = await fetch(`http://127.0.0.1:${server.port}/health/ready`, { signal: AbortSignal.timeout(3000) });
      return res.status === 200;
    },
    ms,
    `server ready\n${server.output()}`,
  ).catch((error: unknown) => {
    if (exited) throw new Error(`the server exited before it was ready:\n${server.output()}`);
    throw error;
  });
};

/** Resolves with how the process exited, or rejects after `ms`. */
export const exitWithin = (server: ServerProcess, ms: number) =>
  Promise.race([
    server.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms:\n${server.output()}`)), ms).unref()),
  ]);

/** Kills whatever a failed test left running. */
export const killLaunched = async (): Promise<void> => {
  await killRemaining(launched);
};

export const tempDir = (prefix: string) => mkdtemp(path.join(os.tmpdir(), `portside-fault-${prefix}-`));
