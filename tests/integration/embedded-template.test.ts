import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { templateKey } from '../../adapters/postgres/embedded-template.js';
import { migrations } from '../../adapters/postgres/migrations/index.js';
import { freePort, killRemaining, spawnScript, type ScriptProcess } from '../support/processes.js';

/**
 * The migrated template of the embedded database (adapters/postgres/embedded-template.ts), as real
 * processes on empty data directories: the first start builds it and copies it, later ones only
 * copy; the copy is a fully migrated database; a cache that cannot be written falls back to initdb
 * in place; processes racing to build it all start. Each test has its own template cache.
 */

const LATEST = migrations.at(-1)!.name;
const BUILD_MARK = 'preparing the migrated embedded database template';
const COPY_MARK = 'embedded database created from the migrated template';
const FALLBACK_MARK = 'embedded database template not used';

describe('the embedded database template (empty DATA_DIR)', function () {
  this.timeout(180_000);
  let workDir: string;
  const children = new Set<ChildProcess>();

  const launch = (script: string, args: string[], env: Record<string, string>): ScriptProcess => {
    const launched = spawnScript(script, args, { LOG_LEVEL: 'info', ...env }, workDir);
    children.add(launched.child);
    void launched.exited.then(() => children.delete(launched.child));
    return launched;
  };

  const exitOf = async (run: ScriptProcess) => ({ ...(await run.exited), output: run.output() });

  /** A server on an empty DATA_DIR until /health/ready answers; a user registers; then SIGTERM. */
  const serveOnce = async (env: Record<string, string>) => {
    const port = await freePort();
    const server = launch('composition/main/server.ts', [], { ...env, HOST: '127.0.0.1', PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    let ready: { data: { checks: Record<string, unknown>[] } } | undefined;
    for (let tries = 0; !ready && tries < 400; tries += 1) {
      if (server.child.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`);
      const res = await fetch(`${base}/health/ready`).catch(() => null);
      if (res?.status === 200) ready = (await res.json()) as typeof ready;
      else await new Promise((resolve) => setTimeout(resolve, 150));
    }
    if (!ready) throw new Error(`not ready in time:\n${server.output()}`);
    const name = `tpl${Date.now()}`;
    const registered = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${name}@example.com`, username: name, password: 'Quasar-tangerine-orbit-93!' }),
    });
    server.child.kill('SIGTERM');
    const exit = await exitOf(server);
    return { ready: ready.data.checks.find((c) => c['name'] === 'database'), registered: registered.status, ...exit };
  };

  const cacheEntries = async (cache: string) => (await readdir(cache)).sort();

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'portside-template-'));
  });

  after(async () => {
    await killRemaining(children);
    await rm(workDir, { recursive: true, force: true });
  });

  it('the key follows the migration files byte for byte: same files, same key; a changed or added file, another key', async () => {
    const source = fileURLToPath(new URL('../../adapters/postgres/migrations/', import.meta.url));
    const copy = path.join(workDir, 'migrations');
    await cp(source, copy, { recursive: true });
    const key = templateKey();
    expect(key).to.match(/^pglite-\d+\.\d+\.\d+[^/]*-[0-9a-f]{16}$/);
    expect(templateKey(copy)).to.equal(key);

    const last = path.join(copy, (await readdir(copy)).filter((f) => /^\d{4}-/.test(f)).sort().at(-1)!);
    await writeFile(last, '\n// an edit to a migration that has shipped\n', { flag: 'a' });
    const edited = templateKey(copy);
    expect(edited).not.to.equal(key);

    await writeFile(path.join(copy, '0999-new.ts'), 'export {};\n');
    expect(templateKey(copy)).not.to.equal(edited);
  });

  describe('with a writable cache', () => {
    let cache: string;
    before(() => {
      cache = path.join(workDir, 'cache');
    });

    it('a first server start builds the template, copies it and serves a fully migrated database', async () => {
      const dataDir = path.join(workDir, 'first');
      const run = await serveOnce({ DATA_DIR: dataDir, EMBEDDED_TEMPLATE_DIR: cache });
      expect(run.code, run.output).to.equal(0);
      expect(run.output).to.contain(BUILD_MARK).and.to.contain(COPY_MARK);
      expect(run.output).not.to.contain(FALLBACK_MARK);
      // Migrations found nothing to apply: the copy is at the latest version.
      expect(run.output).not.to.match(/applied \d+ migration/);
      expect(run.ready).to.include({ status: 'up', schema_version: LATEST });
      expect(run.registered).to.equal(201);
      expect(await cacheEntries(cache)).to.deep.equal([templateKey()]);
      expect(existsSync(path.join(dataDir, 'db', 'pgdata', 'PG_VERSION'))).to.equal(true);
      // The template is readable by any user (a root-built image serves an unprivileged server).
      const modes = (root: string) =>
        readdirSync(root, { recursive: true, withFileTypes: true }).map((e) => statSync(path.join(e.parentPath, e.name)).mode & 0o777);
      const templateModes = modes(path.join(cache, templateKey(), 'pgdata'));
      expect(templateModes.every((mode) => (mode & 0o444) === 0o444)).to.equal(true);
      expect(templateModes.length).to.be.greaterThan(100);
      // PGlite itself writes files 0666: the database directory around them is what is private.
      expect(statSync(path.join(dataDir, 'db')).mode & 0o777).to.equal(0o700);
    });

    it('a CLI on another empty DATA_DIR copies the built template: nothing left to migrate', async () => {
      const dataDir = path.join(workDir, 'second');
      const run = await exitOf(launch('composition/main/cli.ts', ['migrate'], { DATA_DIR: dataDir, EMBEDDED_TEMPLATE_DIR: cache }));
      expect(run.code, run.output).to.equal(0);
      expect(run.output).to.contain(COPY_MARK).and.to.contain('Nothing to apply: the schema is current.');
      expect(run.output).not.to.contain(BUILD_MARK);
      expect(await readdir(path.join(dataDir, 'db'))).to.deep.equal(['pgdata']);
    });

    it('a DATA_DIR that holds a database is never touched by the template', async () => {
      const dataDir = path.join(workDir, 'first');
      const run = await exitOf(launch('composition/main/cli.ts', ['migrate'], { DATA_DIR: dataDir, EMBEDDED_TEMPLATE_DIR: cache }));
      expect(run.code, run.output).to.equal(0);
      expect(run.output).not.to.contain(COPY_MARK).and.not.to.contain(FALLBACK_MARK);
      expect(run.output).to.contain('Nothing to apply');
    });
  });

  it('a template cache that cannot be written: one log line, initdb in place, and the server still starts migrated', async () => {
    const blocker = path.join(workDir, 'not-a-directory');
    await writeFile(blocker, 'a file where the cache directory would go\n');
    const run = await serveOnce({ DATA_DIR: path.join(workDir, 'fallback'), EMBEDDED_TEMPLATE_DIR: path.join(blocker, 'cache') });
    expect(run.code, run.output).to.equal(0);
    expect(run.output.split('\n').filter((line) => line.includes(FALLBACK_MARK))).to.have.length(1);
    expect(run.output).to.match(new RegExp(`applied ${migrations.length} migration`));
    expect(run.ready).to.include({ status: 'up', schema_version: LATEST });
    expect(run.registered).to.equal(201);
  });

  it('two processes building the template at once both start on a migrated copy, and one template is kept', async () => {
    const cache = path.join(workDir, 'race-cache');
    const runs = await Promise.all(
      ['race-a', 'race-b'].map((dir) => exitOf(launch('composition/main/cli.ts', ['migrate'], { DATA_DIR: path.join(workDir, dir), EMBEDDED_TEMPLATE_DIR: cache }))),
    );
    for (const run of runs) {
      expect(run.code, run.output).to.equal(0);
      // Both found no template and built one (initdb takes seconds, they start together)...
      expect(run.output).to.contain(BUILD_MARK);
      expect(run.output).to.contain(COPY_MARK).and.to.contain('Nothing to apply: the schema is current.');
    }
    // ...and the loser's build is discarded: no temporary directory is left beside the template.
    expect(await cacheEntries(cache)).to.deep.equal([templateKey()]);
  });
});
