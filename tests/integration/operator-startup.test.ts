import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort, spawnScript } from '../support/processes.js';
import { migrations } from '../../adapters/postgres/migrations/index.js';
import { createServerDatabase } from '../support/databases.js';
import { POSTGRES_URL, requireService } from '../support/services.js';

/**
 * What an operator meets on day one (issue #16), as real processes: start-up refusals are one line
 * naming the setting and the fix; production refuses a stale schema; `migrate` opens only the
 * database; the CLI checks its arguments before opening anything; the start-up line names the
 * adapters. Run from a temp directory so a developer's `.env` cannot change what is tested.
 */

const JWT_SECRET = 'operator-test-secret-0123456789abcdef';

interface Exit {
  readonly code: number | null;
  readonly output: string;
}

const run = async (script: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs = 90_000): Promise<Exit> => {
  const { child, output, exited } = spawnScript(script, args, { LOG_LEVEL: 'warn', ...env }, cwd);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code } = await exited;
  clearTimeout(timer);
  return { code, output: output() };
};

/** A TCP server that accepts and never answers, counting connections: proof a process did (not) open a service. */
const silentServer = async () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => sockets.length,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(resolve));
    },
  };
};


const lines = (output: string): string[] => output.split('\n').filter((l) => l.trim() !== '');

describe('operator day one (start-up refusals, migrate, CLI exits)', function () {
  this.timeout(240_000);
  let cwd: string;
  let database: { url: string; drop(): Promise<void> } | undefined;
  const silent: Awaited<ReturnType<typeof silentServer>>[] = [];

  before(async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    cwd = await mkdtemp(path.join(os.tmpdir(), 'portside-operator-'));
    database = await createServerDatabase(POSTGRES_URL, 'portside_op');
  });
  after(async () => {
    await Promise.all(silent.map((s) => s.close()));
    await database?.drop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  const serverWith = (url: string) => ({ NODE_ENV: 'production', JWT_SECRET, DATABASE_URL: url, PORT: '0', DATA_DIR: path.join(cwd, 'data') });
  const withDatabase = (name: string, user?: { name: string; password: string }) => {
    const u = new URL(POSTGRES_URL);
    if (user) {
      u.username = user.name;
      u.password = user.password;
    }
    u.pathname = `/${name}`;
    return u.toString();
  };

  it('a DATABASE_URL naming a database that does not exist: one line naming DATABASE_URL and how to fix it', async () => {
    const { code, output } = await run('composition/main/server.ts', [], serverWith(withDatabase('portside_op_missing')), cwd);
    expect(code).to.equal(1);
    const u = new URL(POSTGRES_URL);
    expect(lines(output)).to.deep.equal([
      `DATABASE_URL: database "portside_op_missing" does not exist on ${u.hostname}:${u.port || 5432}; create it (createdb -h ${u.hostname} portside_op_missing) or correct the database name in DATABASE_URL`,
    ]);
  });

  it('wrong credentials and an unreachable host: one line each, never the password', async () => {
    const refused = await run('composition/main/server.ts', [], serverWith(withDatabase('test', { name: 'nobody_op', password: 'hunter2secret' })), cwd);
    expect(refused.code).to.equal(1);
    expect(lines(refused.output)).to.have.length(1);
    expect(refused.output).to.match(/^DATABASE_URL: \S+ refused the credentials \(.+\); correct the user and password in DATABASE_URL\n$/);
    expect(refused.output).not.to.contain('hunter2secret');

    const port = await freePort();
    const unreachable = await run('composition/main/server.ts', [], serverWith(`postgres://u:pw@127.0.0.1:${port}/x`), cwd);
    expect(unreachable.code).to.equal(1);
    expect(lines(unreachable.output)).to.deep.equal([
      `DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED); start the server or correct the host and port in DATABASE_URL`,
    ]);
  });

  it('a PORT already in use: one line naming PORT', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const { code, output } = await run('composition/main/server.ts', [], { DATA_DIR: path.join(cwd, 'embedded'), HOST: '127.0.0.1', PORT: String(port) }, cwd);
      expect(code).to.equal(1);
      expect(lines(output)).to.deep.equal([`PORT: 127.0.0.1:${port} is in use by another process (EADDRINUSE); stop the other process or choose another PORT (or HOST)`]);
    } finally {
      taken.close();
    }
  });

  it('production refuses a database with pending migrations, naming npm run migrate', async () => {
    const { code, output } = await run('composition/main/server.ts', [], serverWith(database!.url), cwd);
    expect(code).to.equal(1);
    expect(lines(output)).to.have.length(1);
    expect(output).to.match(/^DATABASE_URL: the schema of \S+ is behind this version: \d+ migration\(s\) pending \(0001-outbox-events, .*\); run `npm run migrate` with the same configuration, then start again\n$/);
  });

  it('the CLI checks its arguments before opening anything, and exits 2 on usage errors', async () => {
    const db = await silentServer();
    silent.push(db);
    const env = { ...serverWith(`postgres://u:pw@127.0.0.1:${db.port}/x`) };
    const cli = (...args: string[]) => run('composition/main/cli.ts', args, env, cwd);
    const commands = ['migrate', 'create-admin', 'seed', 'maintenance'];
    const [missing, unknownOption, unknownCommand, ...helps] = await Promise.all([
      cli('create-admin', '--email', 'a@example.com'),
      cli('seed', '--passwd', 'x'),
      cli('migrat'),
      ...commands.map((command) => cli(command, '--help')),
    ]);
    expect(missing!.code).to.equal(2);
    expect(missing!.output).to.contain('Missing --username, --password');
    expect(unknownOption!.code).to.equal(2);
    expect(unknownCommand!.code).to.equal(2);
    expect(unknownCommand!.output).to.contain('Unknown command: migrat');
    commands.forEach((command, i) => {
      expect(helps[i]!.code, helps[i]!.output).to.equal(0);
      expect(helps[i]!.output).to.contain(`Usage: npm run cli -- ${command}`);
    });
    expect(db.connections()).to.equal(0);
  });

  it('migrate opens only the database (a configured Redis and object store are never contacted); the server then starts and reports its wiring and schema version', async () => {
    const redis = await silentServer();
    const s3 = await silentServer();
    silent.push(redis, s3);
    const services = {
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
      S3_ACCESS_KEY: 'operator',
      S3_SECRET_KEY: 'operator-secret',
    };
    const migrate = await run('composition/main/cli.ts', ['migrate'], { ...serverWith(database!.url), ...services }, cwd);
    expect(migrate.code, migrate.output).to.equal(0);
    expect(migrate.output).to.contain(`Applied ${migrations.length} migration(s)`);
    expect(redis.connections() + s3.connections()).to.equal(0);
    const again = await run('composition/main/cli.ts', ['migrate'], serverWith(database!.url), cwd);
    expect(again.code).to.equal(0);
    expect(again.output).to.contain('Nothing to apply: the schema is current.');

    // maintenance prints a one-line summary even when it removed nothing.
    const maintenance = await run('composition/main/cli.ts', ['maintenance'], serverWith(database!.url), cwd);
    expect(maintenance.code, maintenance.output).to.equal(0);
    expect(maintenance.output).to.match(/^maintenance: removed 0 \(.*expired idempotency keys 0.*\); 0 failed$/m);

    // The server now starts on the current schema; its start-up line names each port's adapter.
    const port = await freePort();
    const server = spawnScript('composition/main/server.ts', [], { LOG_FORMAT: 'json', ...serverWith(database!.url), PORT: String(port) }, cwd);
    const { child } = server;
    try {
      const started = Date.now();
      type Ready = { status: number; body: { data?: { checks?: Record<string, unknown>[] } } };
      let ready: Ready | null = null;
      while (Date.now() - started < 60_000 && child.exitCode === null) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(5000) });
          ready = { status: res.status, body: (await res.json()) as Ready['body'] };
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const output = server.output();
      expect(ready?.status, output).to.equal(200);
      expect(ready!.body.data!.checks!.find((c) => c['name'] === 'database')).to.include({ status: 'up', schema_version: migrations.at(-1)!.name });
      const listening = output.split('\n').find((l) => l.includes('Portside listening'));
      expect(listening, output).to.be.a('string');
      const message = (JSON.parse(listening!) as { message: string }).message;
      const u = new URL(database!.url);
      expect(message).to.contain(`database: PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`);
      expect(message).to.contain('sessions: database; objects: local disk');
      expect(message).to.contain('rate limits: in-process memory; jobs: in-process');
      expect(message).not.to.contain('profile');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
