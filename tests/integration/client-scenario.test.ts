import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  bearerAuth,
  createPortsideClient,
  memoryTokenStorage,
  multipart,
  type Answer,
  type ApiError,
  type PortsideClient,
  type TokenPair,
  type TokenStorage,
} from '../../adapters/http/client/index.js';
import { aPng } from '../support/file-samples.js';
import { freePort, spawnScript } from '../support/processes.js';
import { specCheckedFetch, type SpecCheckedFetch } from '../support/checked-fetch.js';

/**
 * What a frontend does, through the generated client (adapters/http/client) against `npm start`
 * as a real process on the embedded profile. Every call is typed by the generated types, so a
 * renamed field or path fails `npm run typecheck`; every answer is held to the OpenAPI document
 * the server serves (tests/support/checked-fetch.ts), so a status, content type or field the
 * document does not declare fails the call that met it.
 */

const children = new Set<ChildProcess>();

/** Fails with the server's own error envelope, so a failing step says what the server said. */
const ok = <T>(result: { data?: T; error?: unknown; response: Response }, step: string): T => {
  if (result.data === undefined) throw new Error(`${step}: ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data;
};

describe('the typed client against a running server (embedded profile)', function () {
  // Starting the embedded database is slow on a loaded machine; nothing here is timed.
  this.timeout(180_000);

  let workDir: string;
  let server: ReturnType<typeof spawnScript>;
  let baseUrl: string;
  let checked: SpecCheckedFetch;
  let api: PortsideClient;
  const stamp = Date.now().toString(36);
  const giver = { email: `giver-${stamp}@example.com`, username: `giver_${stamp}`, password: 'Quasar-tangerine-orbit-93!', role: 'giver' as const };
  const taker = { email: `taker-${stamp}@example.com`, username: `taker_${stamp}`, password: 'Marble-lantern-thistle-58?', role: 'taker' as const };

  /** A client with its own session, every answer checked against the served document. */
  const sessionClient = (storage: TokenStorage): PortsideClient => {
    const client = createPortsideClient({ baseUrl, fetch: checked.fetch });
    client.use(bearerAuth(storage));
    return client;
  };

  const logIn = async (who: { username: string; password: string }): Promise<TokenPair> => {
    const { data } = ok(await api.POST('/api/v1/auth/login', { body: { username: who.username, password: who.password } }), `log in ${who.username}`);
    expect(data.token_type).to.equal('bearer');
    return { access_token: data.access_token, refresh_token: data.refresh_token };
  };

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'portside-client-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawnScript(
      'composition/main/server.ts',
      [],
      {
        DATA_DIR: path.join(workDir, 'data'),
        PORT: String(port),
        // Cheap hashing and no rate limit: this scenario is about the contract, not about cost or abuse.
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_ITERATIONS: '1',
        RATE_LIMIT_PER_MINUTE: '100000',
        AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      },
      workDir,
    );
    children.add(server.child);
    let exited = false;
    void server.exited.then(() => (exited = true));
    for (let attempt = 0; ; attempt += 1) {
      if (exited) throw new Error(`the server exited before it was ready:\n${server.output()}`);
      const ready = await fetch(`${baseUrl}/health/ready`).then((r) => r.status, () => 0);
      if (ready === 200) break;
      if (attempt > 600) throw new Error(`the server was not ready:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    // The live document, as a frontend developer's generator would read it.
    const doc = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as object;
    checked = specCheckedFetch(doc);
    api = createPortsideClient({ baseUrl, fetch: checked.fetch });
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all([...children].filter((c) => c.exitCode === null && c.signalCode === null).map((c) => once(c, 'exit')));
    await rm(workDir, { recursive: true, force: true });
  });

  it('registers, logs in, refreshes and reads the account; a wrong password is the error envelope', async () => {
    const registered = ok(await api.POST('/api/v1/auth/register', { body: giver }), 'register giver');
    expect(registered.code).to.equal(201);
    expect(registered.data).to.include({ email: giver.email, username: giver.username, role: 'giver', is_superuser: false });
    ok(await api.POST('/api/v1/auth/register', { body: taker }), 'register taker');

    const refused = await api.POST('/api/v1/auth/login', { body: { username: giver.username, password: 'not the password at all' } });
    expect(refused.response.status).to.equal(401);
    const envelope: ApiError | undefined = refused.error;
    expect(envelope?.code).to.equal(401);
    expect(envelope?.error).to.be.a('string').and.match(/^[A-Z_]+$/);
    expect(envelope?.request_id).to.be.a('string');

    const first = await logIn(giver);
    const renewed = ok(await api.POST('/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } }), 'refresh');
    expect(renewed.data.refresh_token).to.not.equal(first.refresh_token);
    // A retry whose answer was lost (within REFRESH_REUSE_GRACE) gets the very same successor.
    const retried = ok(await api.POST('/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } }), 'refresh again');
    expect(retried.data.refresh_token).to.equal(renewed.data.refresh_token);

    const storage = memoryTokenStorage({ access_token: renewed.data.access_token, refresh_token: renewed.data.refresh_token });
    const me = ok(await sessionClient(storage).GET('/api/v1/auth/me'), 'me');
    expect(me.data).to.include({ username: giver.username, email: giver.email });
  });

  it('the bearer middleware trades the refresh token once on a 401 and repeats the call; a refused refresh ends the session', async () => {
    const tokens = await logIn(taker);
    // An access token the server does not accept, as after it expired.
    const storage = memoryTokenStorage({ access_token: `${tokens.access_token}x`, refresh_token: tokens.refresh_token });
    const client = sessionClient(storage);
    const before = checked.seen.length;
    const me = ok(await client.GET('/api/v1/auth/me'), 'me after a refresh');
    expect(me.data.username).to.equal(taker.username);
    expect(checked.seen.slice(before)).to.deep.equal(['GET /api/v1/auth/me 401', 'POST /api/v1/auth/refresh 200', 'GET /api/v1/auth/me 200']);
    const saved = storage.load();
    expect(saved?.refresh_token).to.be.a('string').and.not.equal(tokens.refresh_token);

    // Every session ended: the 401 comes through and the storage is cleared, so the app shows its login page.
    expect((await client.POST('/api/v1/auth/logout-all')).response.status).to.equal(204);
    const refused = await client.GET('/api/v1/auth/me');
    expect(refused.response.status).to.equal(401);
    expect(refused.error?.error).to.be.a('string');
    expect(storage.load()).to.equal(null);
  });

  it('creates records and pages through them with a cursor, each item once', async () => {
    const client = sessionClient(memoryTokenStorage(await logIn(giver)));
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((n) => `client ${stamp} ${n}`);
    for (const name of names) {
      const created = ok(await client.POST('/api/v1/records', { body: { name, config: { schedule: '0 2 * * *' } } }), `create ${name}`);
      expect(created.data).to.include({ name, status: 'active' });
    }
    const seenNames: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = ok(await client.GET('/api/v1/records', { params: { query: { size: 2, sort: 'name', q: stamp, ...(cursor ? { cursor } : {}) } } }), 'list');
      pages += 1;
      seenNames.push(...page.data.items.map((r) => r.name));
      cursor = page.data.meta.next_cursor ?? undefined;
      expect(page.data.meta.has_next).to.equal(cursor !== undefined);
    } while (cursor !== undefined && pages < 10);
    expect(seenNames).to.deep.equal(names);
    expect(pages).to.equal(3);
  });

  it('uploads a file as multipart and downloads the same bytes', async () => {
    const client = sessionClient(memoryTokenStorage(await logIn(giver)));
    const bytes = aPng(2048);
    const file = new File([bytes], 'pixel.png', { type: 'image/png' });
    const stored = ok(await client.POST('/api/v1/files', { body: { file }, bodySerializer: multipart }), 'upload');
    expect(stored.data).to.include({ filename: 'pixel.png', content_type: 'image/png', size: bytes.length });
    const meta = ok(await client.GET('/api/v1/files/{id}', { params: { path: { id: stored.data.id } } }), 'file metadata');
    expect(meta.data.sha256).to.equal(stored.data.sha256);
    const downloaded = ok(await client.GET('/api/v1/files/{id}/content', { params: { path: { id: stored.data.id } }, parseAs: 'arrayBuffer' }), 'download');
    expect(Buffer.from(downloaded).equals(bytes)).to.equal(true);
    // A range is a 206 with just those bytes.
    const range = ok(
      await client.GET('/api/v1/files/{id}/content', { params: { path: { id: stored.data.id }, header: { Range: 'bytes=0-7' } }, parseAs: 'arrayBuffer' }),
      'download a range',
    );
    expect(Buffer.from(range).equals(bytes.subarray(0, 8))).to.equal(true);
  });

  it('a giver offers a slot, a taker books it, and the giver is notified', async () => {
    const asGiver = sessionClient(memoryTokenStorage(await logIn(giver)));
    const asTaker = sessionClient(memoryTokenStorage(await logIn(taker)));
    const me = ok(await asGiver.GET('/api/v1/auth/me'), 'giver me');
    const tomorrow = new Date(Date.now() + 24 * 3_600_000);
    tomorrow.setUTCHours(10, 0, 0, 0);
    const ends = new Date(tomorrow.getTime() + 3_600_000);
    const created = ok(
      await asGiver.POST('/api/v1/schedules', { body: { schedules: [{ giver_id: me.data.id, starts_at: tomorrow.toISOString(), ends_at: ends.toISOString() }] } }),
      'offer a slot',
    );
    const slot = created.data.schedules[0]!;
    expect(slot).to.include({ status: 'available', taker_id: null });

    const offered = ok(await asTaker.GET('/api/v1/schedules', { params: { query: { giver_id: me.data.id, status: 'available' } } }), 'list available slots');
    expect(offered.data.items.map((s) => s.id)).to.include(slot.id);
    const booked = ok(await asTaker.POST('/api/v1/schedules/{id}/book', { params: { path: { id: slot.id } } }), 'book');
    expect(booked.data.status).to.equal('booked');
    const again = await asTaker.POST('/api/v1/schedules/{id}/book', { params: { path: { id: slot.id } } });
    expect(again.response.status).to.equal(409);

    // The event reaches the giver's inbox after the commit, through the in-process relay.
    let inbox: Answer<'/api/v1/notifications', 'get', 200> | undefined;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      inbox = ok(await asGiver.GET('/api/v1/notifications', { params: { query: { unread: true } } }), 'notifications');
      if (inbox.data.items.some((n) => n.kind === 'schedule.booked')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const note = inbox!.data.items.find((n) => n.kind === 'schedule.booked');
    expect(note, JSON.stringify(inbox!.data.items)).to.not.equal(undefined);
    expect(note!.data).to.include({ schedule_id: slot.id });
    expect(note!.read_at).to.equal(null);
    const read = await asGiver.POST('/api/v1/notifications/{id}/read', { params: { path: { id: note!.id } } });
    expect(read.response.status).to.equal(204);
    const unread = ok(await asGiver.GET('/api/v1/notifications', { params: { query: { unread: true } } }), 'unread after reading');
    expect(unread.data.items.map((n) => n.id)).to.not.include(note!.id);
  });

  it('every answer of the scenario was checked against the served document, and every known drift is still real', () => {
    // The checks above ran on these; an empty list would mean the checking fetch was bypassed.
    expect(checked.seen).to.include.members([
      'POST /api/v1/auth/register 201',
      'POST /api/v1/auth/login 401',
      'POST /api/v1/auth/refresh 200',
      'GET /api/v1/records 200',
      'POST /api/v1/files 201',
      'GET /api/v1/files/{id}/content 206',
      'POST /api/v1/schedules/{id}/book 409',
      'GET /api/v1/notifications 200',
    ]);
  });
});
