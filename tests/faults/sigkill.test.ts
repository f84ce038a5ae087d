import { rm } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { exitWithin, killLaunched, launchServer, tempDir, waitReady, type ServerProcess } from './support.js';
import { checkedFetch } from '../support/checked-fetch.js';

/**
 * SIGKILL in the middle of a burst of writes on the embedded profile, then a restart on the same
 * data directory: every write the server acknowledged is there, and nothing that was never sent.
 */
describe('faults: SIGKILL during a burst of writes (embedded profile)', function () {
  this.timeout(300_000);
  let workDir: string;
  const user = { email: 'sigkill@example.com', username: 'sigkill_user', password: 'Quasar-tangerine-orbit-93!' };

  before(async () => {
    workDir = await tempDir('sigkill');
  });
  after(async () => {
    await killLaunched();
    await rm(workDir, { recursive: true, force: true });
  });

  const api = (server: ServerProcess) => async (method: string, pathname: string, body?: unknown, token?: string) => {
    const res = await checkedFetch<{ data?: Record<string, unknown> }>(`http://127.0.0.1:${server.port}${pathname}`, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: res.body };
  };

  const token = async (server: ServerProcess) => {
    const res = await api(server)('POST', '/api/v1/auth/login', { email: user.email, password: user.password });
    expect(res.status).to.equal(200);
    return res.body!.data!['access_token'] as string;
  };

  it('keeps every acknowledged write and invents none', async () => {
    const env = { DATA_DIR: path.join(workDir, 'data') };
    const first = await launchServer(env, workDir);
    await waitReady(first, 150_000);
    expect((await api(first)('POST', '/api/v1/auth/register', user)).status).to.equal(201);
    const access = await token(first);

    const attempted = new Set<string>();
    const acknowledged = new Set<string>();
    let killed = false;
    const writer = async (n: number) => {
      for (let i = 0; !killed; i++) {
        const name = `burst ${n}-${i}`;
        attempted.add(name);
        const res = await api(first)('POST', '/api/v1/records', { name }, access).catch(() => null);
        if (res?.status === 201) acknowledged.add(name);
      }
    };
    const writers = Array.from({ length: 4 }, (_, n) => writer(n));
    while (acknowledged.size < 30) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    killed = true;
    await exitWithin(first, 10_000);
    await Promise.all(writers);

    const second = await launchServer(env, workDir);
    await waitReady(second, 150_000);
    const again = await token(second);
    const stored: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api(second)('GET', `/api/v1/records?size=100${query}`, undefined, again);
      expect(page.status).to.equal(200);
      stored.push(...((page.body!.data!['items'] as { name: string }[]).map((r) => r.name)));
      cursor = ((page.body!.data!['meta'] as { next_cursor: string | null }).next_cursor) ?? null;
    } while (cursor);

    expect(new Set(stored).size, 'no duplicates').to.equal(stored.length);
    expect([...acknowledged].filter((name) => !stored.includes(name)), 'acknowledged but lost').to.deep.equal([]);
    expect(stored.filter((name) => !attempted.has(name)), 'never sent').to.deep.equal([]);
    second.child.kill('SIGTERM');
    expect((await exitWithin(second, 30_000)).code).to.equal(0);
  });
});
