import { createHash, randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { expect } from 'chai';
import pg from 'pg';
import sinon from 'sinon';
import tar from 'tar-stream';
import { closeDatabase, openPostgres } from '../../adapters/postgres/database.js';
import { startEmbeddedPostgres } from '../../adapters/postgres/embedded-server.js';
import { schemaVersion } from '../../adapters/postgres/migrations/index.js';
import { bootstrap } from '../../composition/bootstrap.js';
import { MANIFEST_ENTRY, readAll, readArchive, writeEntry } from '../../composition/archive/format.js';
import { exportCommand, importCommand } from '../../composition/main/archive-commands.js';
import { RECORDS } from '../../composition/modules/records.js';
import { aPng } from '../support/file-samples.js';
import { createServerDatabase } from '../support/databases.js';
import { freePort, killRemaining, spawnScript, type ScriptProcess } from '../support/processes.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';
import { POSTGRES_URL, requireService } from '../support/services.js';

/**
 * `export` and `import` end to end: a source seeded through the real API (a user with a session,
 * a record, a file) plus an event still waiting in the outbox, moved embedded → PostgreSQL + S3
 * (MinIO adapter on s3rver), embedded → embedded, and PostgreSQL + S3 → embedded; on every target
 * the API is started as a real process and the user carries on: logs in, refreshes the session
 * made before the export, reads the record with the same ETag, downloads the file with the same
 * SHA-256. Then the refusals: damaged, truncated, not matching its manifest, non-empty target.
 */

type Env = Record<string, string>;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const cheap: Env = { NODE_ENV: 'test', LOG_LEVEL: 'warn', ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1', JOBS_POLL_MS: '3600000' };

interface Running extends ScriptProcess {
  readonly port: number;
}

const children = new Set<ChildProcess>();

const api = async (server: Running, pathname: string, init: RequestInit & { token?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (typeof init.body === 'string') headers.set('content-type', 'application/json');
  const res = await fetch(`http://127.0.0.1:${server.port}/api/v1${pathname}`, { ...init, headers, signal: AbortSignal.timeout(15_000) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = (() => {
    try {
      return JSON.parse(bytes.toString('utf8')) as { data?: Record<string, unknown> };
    } catch {
      return null;
    }
  })();
  return { status: res.status, headers: res.headers, bytes, data: (json?.data ?? {}) as Record<string, unknown> };
};

const startServer = async (env: Env, cwd: string): Promise<Running> => {
  const port = await freePort();
  const launched = spawnScript('composition/main/server.ts', [], { ...cheap, ...env, PORT: String(port) }, cwd);
  children.add(launched.child);
  const server = { ...launched, port };
  let exited = false;
  void launched.exited.then(() => (exited = true));
  const started = Date.now();
  while (Date.now() - started < 180_000) {
    if (exited) throw new Error(`the server exited:\n${launched.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ok) return server;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server was not ready within 180 s:\n${launched.output()}`);
};

const stopServer = async (server: Running): Promise<void> => {
  server.child.kill('SIGTERM');
  await server.exited;
  children.delete(server.child);
};

/** The CLI as a real process; resolves with its exit code and output. */
const cli = async (args: string[], env: Env, cwd: string) => {
  const run = spawnScript('composition/main/cli.ts', args, { ...cheap, ...env }, cwd);
  children.add(run.child);
  const { code } = await run.exited;
  children.delete(run.child);
  return { code, output: run.output() };
};

/** The CLI commands in this process (faster than a process each): exit code and what they printed. */
const inProcess = async (command: typeof exportCommand | typeof importCommand, env: Env, values: Record<string, string | boolean>) => {
  const lines: string[] = [];
  const log = sinon.stub(console, 'log').callsFake((...args: unknown[]) => void lines.push(args.join(' ')));
  const error = sinon.stub(console, 'error').callsFake((...args: unknown[]) => void lines.push(args.join(' ')));
  const stderr = sinon.stub(process.stderr, 'write').returns(true);
  try {
    const code = await command.standalone({ ...cheap, ...env }, values);
    return { code, output: lines.join('\n') };
  } finally {
    log.restore();
    error.restore();
    stderr.restore();
  }
};

/** Row counts of every table of an embedded database that no server holds, and its schema version. */
const embeddedState = async (dataDir: string) => {
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'db') });
  const db = openPostgres({ connect: embedded.connect, poolMax: 1 });
  try {
    const version = await schemaVersion(db.sequelize);
    const counts: Record<string, number> = {};
    if (version !== null) {
      for (const table of ['users', 'records', 'files', 'refresh_tokens', 'outbox_events']) {
        const [row] = await db.sequelize.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`, { type: 'SELECT' as never });
        counts[table] = Number(row!.n);
      }
    }
    const objects = existsSync(path.join(dataDir, 'objects', 'objects')) ? (await readdir(path.join(dataDir, 'objects', 'objects'))).length : 0;
    return { version, counts, objects };
  } finally {
    await closeDatabase(db);
    await embedded.stop();
  }
};

describe('export and import between profiles (CLI, real server processes)', function () {
  // Real processes: each start compiles the sources with tsx, slow on a busy machine.
  this.timeout(1_800_000);

  const user = { email: `mover-${Date.now()}@example.com`, username: `mover${Date.now()}`, password: 'Quasar-tangerine-orbit-93!' };
  const png = aPng(50_000);
  let work: string;
  let s3: TestS3Server;
  let pgTarget: { url: string; drop(): Promise<void> };
  let pgEnv: Env;
  const dirs = { source: '', embeddedTarget: '', fromPostgres: '', empty: '' };
  const archive = () => path.join(work, 'source.tar.gz');
  const seeded = { refreshToken: '', recordId: '', etag: '', fileId: '', pendingRecordId: '' };
  let refreshAfterPostgres = '';
  /** Rows per table in the source archive's manifest. */
  const exportedRows: Record<string, number> = {};

  /** What a user does right after the move: every answer must be as before. */
  const carryOn = async (server: Running, refreshToken: string): Promise<string> => {
    const login = await api(server, '/auth/login', { method: 'POST', body: JSON.stringify({ email: user.email, password: user.password }) });
    expect(login.status, login.bytes.toString()).to.equal(200);
    const refreshed = await api(server, '/auth/refresh', { method: 'POST', body: JSON.stringify({ refresh_token: refreshToken }) });
    expect(refreshed.status, `refresh with the token from before the export: ${refreshed.bytes.toString()}`).to.equal(200);
    const token = String(refreshed.data['access_token']);
    const record = await api(server, `/records/${seeded.recordId}`, { token });
    expect(record.status).to.equal(200);
    expect(record.headers.get('etag')).to.equal(seeded.etag);
    expect(record.data['name']).to.equal('Moved record');
    const file = await api(server, `/files/${seeded.fileId}`, { token });
    expect(file.status).to.equal(200);
    expect(file.data['sha256']).to.equal(sha256(png));
    const content = await api(server, `/files/${seeded.fileId}/content`, { token });
    expect(content.status).to.equal(200);
    expect(sha256(content.bytes)).to.equal(sha256(png));
    return String(refreshed.data['refresh_token']);
  };

  before(async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    work = await mkdtemp(path.join(os.tmpdir(), 'portside-archive-'));
    for (const name of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[name] = path.join(work, name);
    s3 = await startS3Server();
    pgTarget = await createServerDatabase(POSTGRES_URL, 'portside_archive');
    pgEnv = {
      DATABASE_URL: pgTarget.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: `portside-${randomBytes(4).toString('hex')}`,
      DATA_DIR: path.join(work, 'services-data'),
    };

    // The source: the embedded default, used through the API like any deployment.
    const source = await startServer({ DATA_DIR: dirs.source }, work);
    try {
      expect((await api(source, '/auth/register', { method: 'POST', body: JSON.stringify(user) })).status).to.equal(201);
      const login = await api(source, '/auth/login', { method: 'POST', body: JSON.stringify({ email: user.email, password: user.password }) });
      const first = String(login.data['refresh_token']);
      // A session that has already rotated once: its history must move with it.
      const rotated = await api(source, '/auth/refresh', { method: 'POST', body: JSON.stringify({ refresh_token: first }) });
      expect(rotated.status).to.equal(200);
      seeded.refreshToken = String(rotated.data['refresh_token']);
      const token = String(rotated.data['access_token']);
      const record = await api(source, '/records', { method: 'POST', token, body: JSON.stringify({ name: 'Moved record', config: { schedule: '0 2 * * *' } }) });
      expect(record.status).to.equal(201);
      seeded.recordId = String(record.data['id']);
      const updated = await api(source, `/records/${seeded.recordId}`, {
        method: 'PATCH',
        token,
        headers: { 'if-match': record.headers.get('etag')! },
        body: JSON.stringify({ description: 'changed once, so the ETag is not the first' }),
      });
      expect(updated.status, updated.bytes.toString()).to.equal(200);
      seeded.etag = updated.headers.get('etag')!;
      const form = new FormData();
      form.append('file', new Blob([png], { type: 'image/png' }), 'picture.png');
      const upload = await api(source, '/files', { method: 'POST', token, body: form });
      expect(upload.status, upload.bytes.toString()).to.equal(201);
      seeded.fileId = String(upload.data['id']);
    } finally {
      await stopServer(source);
    }
    // An event still waiting in the outbox at export time: written by a use case, with no relay running.
    const runtime = await bootstrap({ ...cheap, DATA_DIR: dirs.source }, { migrate: false });
    try {
      const [owner] = await runtime.infra.database!.sequelize.query<{ id: string }>('SELECT id FROM users WHERE email = :email', {
        replacements: { email: user.email },
        type: 'SELECT' as never,
      });
      const created = await runtime.container.get(RECORDS.CreateRecord).execute({ userId: owner!.id, sessionId: 'seed', role: 'taker', isAdmin: false }, { name: 'Pending event' });
      if (created._tag === 'Left') throw new Error(created.left.message);
      seeded.pendingRecordId = created.right.id;
    } finally {
      await runtime.infra.close();
    }
  });

  after(async () => {
    await killRemaining(children);
    await s3?.close().catch(() => undefined);
    await pgTarget?.drop().catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('exports the embedded default into one archive with a manifest', async () => {
    const run = await cli(['export', '--out', archive()], { DATA_DIR: dirs.source }, work);
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.match(/Exported to .*schema 0\d{3}-/);
    expect(run.output).to.match(/users\s+1 rows/);
    let manifest: { tables: { name: string; rows: number; sha256: string }[]; objects: { count: number; items: { sha256: string }[] } } | null = null;
    for await (const entry of readArchive(archive())) {
      if (entry.name === MANIFEST_ENTRY) manifest = JSON.parse((await readAll(entry)).toString()) as typeof manifest;
    }
    expect(manifest!.tables.find((t) => t.name === 'records')!.rows).to.equal(2);
    expect(manifest!.tables.find((t) => t.name === 'refresh_tokens')!.rows).to.equal(2);
    expect(manifest!.objects.count).to.equal(1);
    expect(manifest!.objects.items[0]!.sha256).to.equal(sha256(png));
    for (const table of manifest!.tables) exportedRows[table.name] = table.rows;
  });

  it('export on the embedded default refuses while another process (the server) holds the database, and says so', async () => {
    // This test process takes the database as a running server does (the same lock).
    const holder = await startEmbeddedPostgres({ dataDir: path.join(dirs.source, 'db') });
    try {
      const refused = await cli(['export', '--out', path.join(work, 'refused.tar.gz')], { DATA_DIR: dirs.source }, work);
      expect(refused.code).to.equal(1);
      expect(refused.output).to.match(new RegExp(`in use by process ${process.pid}.*stop the server`, 's'));
      expect(existsSync(path.join(work, 'refused.tar.gz'))).to.equal(false);
    } finally {
      await holder.stop();
    }
  });

  it('embedded → PostgreSQL + S3: the user carries on, and the pending event is delivered once', async () => {
    const run = await cli(['import', '--in', archive()], pgEnv, work);
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.match(/counts and SHA-256 checked/);
    const client = new pg.Client({ connectionString: pgTarget.url });
    await client.connect();
    try {
      const before = await client.query<{ id: string; published_at: Date | null }>('SELECT id, published_at FROM outbox_events ORDER BY id');
      const pending = before.rows.filter((r) => r.published_at === null);
      expect(pending.length).to.be.greaterThan(0);
      const server = await startServer(pgEnv, work);
      try {
        refreshAfterPostgres = await carryOn(server, seeded.refreshToken);
        // The relay of the new deployment delivers what was waiting; what was delivered before stays delivered.
        const deadline = Date.now() + 30_000;
        let audited = 0;
        while (Date.now() < deadline) {
          audited = Number((await client.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_events WHERE subject_id = $1', [seeded.pendingRecordId])).rows[0]!.n);
          if (audited > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        expect(audited).to.equal(1);
        const after = await client.query<{ id: string; published_at: Date | null }>('SELECT id, published_at FROM outbox_events ORDER BY id');
        for (const row of before.rows.filter((r) => r.published_at !== null)) {
          expect(after.rows.find((r) => r.id === row.id)!.published_at!.getTime()).to.equal(row.published_at!.getTime());
        }
      } finally {
        await stopServer(server);
      }
    } finally {
      await client.end();
    }
  });

  it('embedded → embedded: the user carries on', async () => {
    const run = await inProcess(importCommand, { DATA_DIR: dirs.embeddedTarget }, { in: archive() });
    expect(run.code, run.output).to.equal(0);
    const server = await startServer({ DATA_DIR: dirs.embeddedTarget }, work);
    try {
      await carryOn(server, seeded.refreshToken);
    } finally {
      await stopServer(server);
    }
  });

  it('PostgreSQL + S3 → embedded (exported beside the running server): the user carries on', async () => {
    const server = await startServer(pgEnv, work);
    const out = path.join(work, 'from-postgres.tar.gz');
    try {
      const exported = await inProcess(exportCommand, pgEnv, { out });
      expect(exported.code, exported.output).to.equal(0);
    } finally {
      await stopServer(server);
    }
    const run = await inProcess(importCommand, { DATA_DIR: dirs.fromPostgres }, { in: out });
    expect(run.code, run.output).to.equal(0);
    const target = await startServer({ DATA_DIR: dirs.fromPostgres }, work);
    try {
      await carryOn(target, refreshAfterPostgres);
    } finally {
      await stopServer(target);
    }
  });

  describe('refusals leave the target unchanged', () => {
    const expectEmpty = async () => {
      const state = await embeddedState(dirs.empty);
      expect(state.version).to.equal(null);
      expect(state.objects).to.equal(0);
    };

    it('a damaged archive', async () => {
      const damaged = path.join(work, 'damaged.tar.gz');
      const bytes = await readFile(archive());
      for (let i = Math.floor(bytes.length / 3); i < Math.floor(bytes.length / 3) + 64; i += 1) bytes[i] = bytes[i]! ^ 0xff;
      await writeFile(damaged, bytes);
      const run = await inProcess(importCommand, { DATA_DIR: dirs.empty }, { in: damaged });
      expect(run.code).to.equal(1);
      expect(run.output).to.match(/Import refused: .*(damaged|does not match)/);
      expect(run.output).to.include('The target was not changed');
      await expectEmpty();
    });

    it('a truncated archive', async () => {
      const cut = path.join(work, 'truncated.tar.gz');
      await copyFile(archive(), cut);
      const { size } = await stat(cut);
      await truncate(cut, Math.floor(size * 0.6));
      const run = await inProcess(importCommand, { DATA_DIR: dirs.empty }, { in: cut });
      expect(run.code).to.equal(1);
      expect(run.output).to.match(/Import refused: .*truncated/);
      await expectEmpty();
    });

    it('an archive whose manifest checksums do not match its content', async () => {
      const forged = path.join(work, 'forged.tar.gz');
      const pack = tar.pack();
      const written = pipeline(pack, createGzip(), createWriteStream(forged));
      for await (const entry of readArchive(archive())) {
        let body = await readAll(entry);
        if (entry.name === MANIFEST_ENTRY) {
          const manifest = JSON.parse(body.toString()) as { tables: { name: string; sha256: string }[] };
          manifest.tables.find((t) => t.name === 'users')!.sha256 = '0'.repeat(64);
          body = Buffer.from(JSON.stringify(manifest));
        }
        await writeEntry(pack, entry.name, body.length, body);
      }
      pack.finalize();
      await written;
      const run = await inProcess(importCommand, { DATA_DIR: dirs.empty }, { in: forged });
      expect(run.code).to.equal(1);
      expect(run.output).to.match(/does not match its manifest: the SHA-256 of table users/);
      await expectEmpty();
    });

    it('a target that holds data (and --force replaces it)', async () => {
      const before = await embeddedState(dirs.embeddedTarget);
      expect(before.counts['users']).to.equal(1);
      const run = await inProcess(importCommand, { DATA_DIR: dirs.embeddedTarget }, { in: archive() });
      expect(run.code).to.equal(1);
      expect(run.output).to.match(/already holds data \(.*table users.*\).*--force/s);
      expect(await embeddedState(dirs.embeddedTarget)).to.deep.equal(before);

      const forced = await inProcess(importCommand, { DATA_DIR: dirs.embeddedTarget }, { in: archive(), force: true });
      expect(forced.code, forced.output).to.equal(0);
      expect(forced.output).to.match(/replacing the data the target held/);
      const after = await embeddedState(dirs.embeddedTarget);
      for (const [table, rows] of Object.entries(after.counts)) expect(rows, table).to.equal(exportedRows[table]);
    });
  });
});
