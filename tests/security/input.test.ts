import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { anExe, aPng } from '../support/file-samples.js';
import { expectError, MAX_UPLOAD, securityHarness, type Account, type SecurityHarness } from './harness.js';

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\uD800b';
const deep = (depth: number, leaf: unknown = 1): unknown => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i += 1) value = { k: value };
  return value;
};
const deepJson = (depth: number) => `${'{"k":'.repeat(depth)}1${'}'.repeat(depth)}`;
const fieldsOf = (res: request.Response) => ((res.body?.detail ?? []) as { field: string }[]).map((d) => d.field);

/**
 * OWASP API4:2023 (resource consumption), API8:2023 (misconfiguration, injection); ASVS 5.0 V2.2.1,
 * V5.2.1, V5.2.2, V15.3.6, V15.3.7, V16.5.3: hostile input is a 4xx with the envelope, never a
 * 500, and leaves nothing behind.
 */
describe('security: hostile input [API4, API8:2023] [ASVS V2.2, V5.2, V15.3]', function () {
  this.timeout(60_000);
  let h: SecurityHarness;
  let user: Account;
  let admin: Account;
  let recordId: string;

  before(async () => {
    h = await securityHarness();
    [user, admin] = [await h.account(), await h.admin()];
    recordId = (await h.call('post', '/api/v1/records', { token: user.tokens.access_token, body: { name: 'target', config: {} } })).body.data.id;
  });

  /** Every text field of every JSON route, with a body that is valid but for that field. */
  const textFields = (): { route: string; method: 'post' | 'patch'; path: string; token?: () => string; body: Record<string, unknown>; fields: string[] }[] => {
    const n = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
    return [
      { route: 'register', method: 'post', path: '/api/v1/auth/register', body: { email: `t${n}@example.com`, username: `t_${n}`, password: 'a long passphrase 9', full_name: 'T' }, fields: ['email', 'username', 'password', 'full_name'] },
      { route: 'login', method: 'post', path: '/api/v1/auth/login', body: { username: user.username, password: user.password }, fields: ['username', 'password'] },
      { route: 'refresh', method: 'post', path: '/api/v1/auth/refresh', body: { refresh_token: 'x'.repeat(43) }, fields: ['refresh_token'] },
      { route: 'PATCH me', method: 'patch', path: '/api/v1/auth/me', token: () => user.tokens.access_token, body: { full_name: 'New Name' }, fields: ['full_name'] },
      { route: 'change-password', method: 'post', path: '/api/v1/auth/change-password', token: () => user.tokens.access_token, body: { current_password: user.password, new_password: 'another long passphrase 1' }, fields: ['current_password', 'new_password'] },
      { route: 'create user', method: 'post', path: '/api/v1/users', token: () => admin.tokens.access_token, body: { email: `u${n}@example.com`, username: `u_${n}`, password: 'a long passphrase 9', full_name: 'U' }, fields: ['email', 'username', 'password', 'full_name'] },
      { route: 'create record', method: 'post', path: '/api/v1/records', token: () => user.tokens.access_token, body: { name: 'n', description: 'd', config: { key: 'v' } }, fields: ['name', 'description', 'config.key'] },
      { route: 'update record', method: 'patch', path: `/api/v1/records/${recordId}`, token: () => user.tokens.access_token, body: { name: 'n', description: 'd' }, fields: ['name', 'description'] },
    ];
  };

  const withField = (body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> => {
    const [head, ...rest] = path.split('.');
    if (rest.length === 0) return { ...body, [head!]: value };
    return { ...body, [head!]: withField((body[head!] ?? {}) as Record<string, unknown>, rest.join('.'), value) };
  };

  for (const [label, bad, inUrl] of [['NUL bytes', NUL, 'a%00b'], ['lone surrogates', LONE_SURROGATE, 'a%ED%A0%80b']] as const) {
    it(`[V2.2.1] ${label} in any text field are a 422 naming the field, and nothing is written`, async () => {
      for (const r of textFields()) {
        for (const field of r.fields) {
          const res = await h.call(r.method, r.path, { token: r.token?.(), body: withField(r.body, field, bad) });
          expect(res.status, `${r.route} ${field}: ${res.text.slice(0, 200)}`).to.equal(422);
          expect(fieldsOf(res), `${r.route} ${field}`).to.include(field);
        }
      }
      // The user's password was never changed and the record never renamed.
      expect((await h.call('get', `/api/v1/records/${recordId}`, { token: user.tokens.access_token })).body.data.name).to.equal('target');
      expect((await h.call('post', '/api/v1/auth/login', { body: { username: user.username, password: user.password } })).status).to.equal(200);
    });

    it(`[V2.2.1] ${label} in query parameters are a 422, never a 500`, async () => {
      // A lone surrogate cannot be UTF-8: in a URL it arrives as the bytes a careless encoder makes,
      // which the query parser turns into U+FFFD (valid text, so a search for it may answer 200).
      const refused = bad === NUL ? [400, 422] : [200, 400, 422];
      for (const qs of [`q=${inUrl}`, `status=${inUrl}`, `sort=${inUrl}`, `cursor=${inUrl}`]) {
        const res = await h.call('get', `/api/v1/records?${qs}`, { token: user.tokens.access_token });
        expect(qs.startsWith('q=') ? refused : [400, 422], qs).to.include(res.status);
        expect(res.body.code, qs).to.equal(res.status);
      }
      expect(refused).to.include((await h.call('get', `/api/v1/users?q=${inUrl}`, { token: admin.tokens.access_token })).status);
    });
  }

  it('[API4][V2.2.1] JSON nested 10,000 deep is a 4xx naming the field, anywhere in a body, and the server stays up', async () => {
    const res = await h.call('post', '/api/v1/records', { token: user.tokens.access_token, json: `{"name":"deep","config":${deepJson(10_000)}}` });
    expectError(res, 422, 'VALIDATION_ERROR');
    // Named where the nesting passes the limit: config.k.k...
    expect(fieldsOf(res).every((f) => f.startsWith('config.'))).to.equal(true);
    const shallowEnough = await h.call('post', '/api/v1/records', { token: user.tokens.access_token, body: { name: 'ok depth', config: deep(10) } });
    expect(shallowEnough.status).to.equal(201);
    const inName = await h.call('post', '/api/v1/records', { token: user.tokens.access_token, json: `{"name":${deepJson(10_000)},"config":{}}` });
    expect(inName.status).to.equal(422);
    const whole = await h.call('post', '/api/v1/auth/login', { json: `${'['.repeat(10_000)}${']'.repeat(10_000)}` });
    expect([400, 422]).to.include(whole.status);
    expect((await h.call('get', '/health')).status).to.equal(200);
  });

  it('[V15.3.6] prototype-pollution payloads change no prototype and are stored, if at all, as plain data', async () => {
    const json = '{"name":"proto","config":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}}';
    const res = await h.call('post', '/api/v1/records', { token: user.tokens.access_token, json });
    expect([201, 422]).to.include(res.status);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect((Object.prototype as Record<string, unknown>)['polluted']).to.equal(undefined);
    const reg = await h.call('post', '/api/v1/auth/register', { json: '{"email":"p@example.com","username":"proto_user","password":"a long passphrase 9","__proto__":{"role":"admin","is_superuser":true}}' });
    expectError(reg, 422, 'VALIDATION_ERROR');
  });

  it('[V15.3.7] repeated query parameters are a 422, never an array slipping through', async () => {
    for (const qs of ['size=1&size=2', 'page=1&page=2', 'sort=name&sort=-name', 'q=a&q=b', 'status=active&status=inactive', 'cursor=a&cursor=b', 'with_total=true&with_total=false']) {
      const res = await h.call('get', `/api/v1/records?${qs}`, { token: user.tokens.access_token });
      expectError(res, 422, 'VALIDATION_ERROR');
    }
    expectError(await h.call('get', '/api/v1/users?role=taker&role=giver', { token: admin.tokens.access_token }), 422, 'VALIDATION_ERROR');
  });

  it('[API4][V5.2.1] an oversized JSON body and an oversized upload are a 413, and nothing is stored', async () => {
    expectError(await h.call('post', '/api/v1/records', { token: user.tokens.access_token, json: `{"name":"big","config":{"x":"${'a'.repeat(2 * 1024 * 1024)}"}}` }), 413, 'PAYLOAD_TOO_LARGE');
    const before = (await h.call('get', '/api/v1/files', { token: user.tokens.access_token })).body.data.meta.total as number;
    const big = await request(h.app).post('/api/v1/files').set('Authorization', `Bearer ${user.tokens.access_token}`).attach('file', aPng(MAX_UPLOAD + 1), { filename: 'big.png', contentType: 'image/png' });
    h.record('POST /api/v1/files', big);
    expectError(big, 413, 'PAYLOAD_TOO_LARGE');
    expect((await h.call('get', '/api/v1/files', { token: user.tokens.access_token })).body.data.meta.total).to.equal(before);
  });

  it('[V5.2.2] a file whose bytes are not what it claims is refused (415), and nothing is stored', async () => {
    const res = await request(h.app).post('/api/v1/files').set('Authorization', `Bearer ${user.tokens.access_token}`).attach('file', anExe(), { filename: 'cat.png', contentType: 'image/png' });
    h.record('POST /api/v1/files', res);
    expect(res.status).to.equal(415);
    expect(res.body.error).to.equal('UNSUPPORTED_MEDIA_TYPE');
  });

  for (const size of [5, 20 * 1024]) {
    it(`[API4][V16.5.3] a multipart upload cut before its closing boundary (${size} bytes of content) is a 4xx, stores nothing, and the server lives on`, async () => {
      const before = (await h.call('get', '/api/v1/files', { token: user.tokens.access_token })).body.data.meta.total as number;
      const body = `--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n${'h'.repeat(size)}`;
      const res = await request(h.app).post('/api/v1/files').set('Authorization', `Bearer ${user.tokens.access_token}`).set('Content-Type', 'multipart/form-data; boundary=B').send(body);
      h.record('POST /api/v1/files', res);
      expect([400, 422]).to.include(res.status);
      expect(res.body.code).to.equal(res.status);
      expect((await h.call('get', '/health')).status).to.equal(200);
      expect((await h.call('get', '/api/v1/files', { token: user.tokens.access_token })).body.data.meta.total).to.equal(before);
    });
  }

  it('[API4] a JSON body cut short by a client that hangs up does not hurt the server', async () => {
    const server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(
            `POST /api/v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.tokens.access_token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"name":"cut","conf`,
          );
          setImmediate(() => socket.destroy());
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
      expect((await request(server).get('/health')).status).to.equal(200);
      const names = (await request(server).get('/api/v1/records?q=cut').set('Authorization', `Bearer ${user.tokens.access_token}`)).body.data.items;
      expect(names).to.deep.equal([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/**
 * ASVS 5.0 V1.2 / OWASP API8:2023: SQL metacharacters in every filter and sort, against the real
 * SQL of the embedded profile (the memory profile has no SQL to inject into).
 */
describe('security: SQL metacharacters in filters and sorts, embedded profile [API8:2023] [ASVS V1.2.4]', function () {
  this.timeout(120_000);
  let t: TestApp;
  let dir: string;
  let token: string;
  let adminToken: string;
  const INJECTIONS = ["'", "' OR '1'='1", "%' --", '\\', '"; DROP TABLE records; --', '$1', ') OR (1=1', "'; SELECT pg_sleep(5); --", '%', '_'];

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'portside-sec-'));
    t = await buildTestApp({ PROFILE: 'embedded', DATA_DIR: dir }, { migrate: true });
    const n = Date.now().toString(36);
    await request(t.app).post('/api/v1/auth/register').send({ email: `s${n}@example.com`, username: `s_${n}`, password: 'a long passphrase 9' }).expect(201);
    token = (await request(t.app).post('/api/v1/auth/login').send({ username: `s_${n}`, password: 'a long passphrase 9' }).expect(200)).body.data.access_token;
    const { IDENTITY } = await import('../../composition/modules/identity.js');
    const created = await t.container.get(IDENTITY.CreateUser).execute('operator', { email: `sa${n}@example.com`, username: `sa_${n}`, password: 'a long passphrase 9' });
    if (created._tag === 'Left') throw new Error(created.left.message);
    adminToken = (await request(t.app).post('/api/v1/auth/login').send({ username: `sa_${n}`, password: 'a long passphrase 9' }).expect(200)).body.data.access_token;
    for (const name of ['alpha', 'beta', 'gamma']) {
      await request(t.app).post('/api/v1/records').set('Authorization', `Bearer ${token}`).send({ name, config: {} }).expect(201);
    }
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records: q matches literally, the enum and sort filters refuse, and the table survives', async () => {
    for (const bad of INJECTIONS) {
      const q = await request(t.app).get(`/api/v1/records?q=${encodeURIComponent(bad)}`).set('Authorization', `Bearer ${token}`);
      expect(q.status, bad).to.equal(200);
      // Matched literally: only names that contain the very text (none of alpha, beta, gamma do).
      expect(q.body.data.items, bad).to.deep.equal([]);
      for (const param of ['status', 'sort', 'cursor', 'owner_id']) {
        const res = await request(t.app).get(`/api/v1/records?${param}=${encodeURIComponent(bad)}`).set('Authorization', `Bearer ${adminToken}`);
        expect([200, 422], `${param}=${bad}`).to.include(res.status);
        if (res.status === 200) expect(res.body.data.items, `${param}=${bad}`).to.deep.equal([]);
      }
    }
    expect((await request(t.app).get('/api/v1/records').set('Authorization', `Bearer ${token}`)).body.data.meta.total).to.equal(3);
  });

  it('users: q matches literally, role, is_active and sort refuse, and the table survives', async () => {
    for (const bad of INJECTIONS) {
      const q = await request(t.app).get(`/api/v1/users?q=${encodeURIComponent(bad)}`).set('Authorization', `Bearer ${adminToken}`);
      expect(q.status, bad).to.equal(200);
      // Matched literally: every user served has the very text in an email, username or name.
      for (const u of q.body.data.items as { email: string; username: string; full_name: string | null }[]) {
        expect(`${u.email} ${u.username} ${u.full_name ?? ''}`.toLowerCase(), bad).to.contain(bad.toLowerCase());
      }
      if (!['_', '%'].includes(bad)) expect(q.body.data.items, bad).to.deep.equal([]);
      for (const param of ['role', 'is_active', 'sort', 'cursor']) {
        const res = await request(t.app).get(`/api/v1/users?${param}=${encodeURIComponent(bad)}`).set('Authorization', `Bearer ${adminToken}`);
        expect(res.status, `${param}=${bad}`).to.equal(422);
      }
    }
    expect((await request(t.app).get('/api/v1/users').set('Authorization', `Bearer ${adminToken}`)).body.data.meta.total).to.equal(2);
  });
});
