import { expect } from 'chai';
import request from 'supertest';
import { aPng } from '../support/file-samples.js';
import { expectError, securityHarness, type Account, type SecurityHarness } from './harness.js';

/**
 * OWASP API1:2023 (object level), API3:2023 (object property level), API5:2023 (function level);
 * ASVS 5.0 V8.2.1, V8.2.2, V8.2.3, V15.3.1, V15.3.3: two users and an admin on every resource.
 */
describe('security: authorization [API1, API3, API5:2023] [ASVS V8, V15.3]', function () {
  this.timeout(30_000);
  let h: SecurityHarness;
  let alice: Account;
  let bob: Account;
  let admin: Account;
  let recordId: string;
  let fileId: string;
  let aliceSessionId: string;

  before(async () => {
    h = await securityHarness();
    [alice, bob, admin] = [await h.account(), await h.account(), await h.admin()];
    recordId = (await h.call('post', '/api/v1/records', { token: alice.tokens.access_token, body: { name: 'alice private job', config: { secret: 'x' } } })).body.data.id;
    const up = await request(h.app).post('/api/v1/files').set('Authorization', `Bearer ${alice.tokens.access_token}`).attach('file', aPng(), { filename: 'alice.png', contentType: 'image/png' });
    h.record('POST /api/v1/files', up);
    fileId = up.body.data.id;
    aliceSessionId = ((await h.call('get', '/api/v1/auth/sessions', { token: alice.tokens.access_token })).body.data.items as { id: string }[])[0]!.id;
  });

  const as = (who: Account) => who.tokens.access_token;

  it('[V8.2.2][API1] another user\'s record is a 404 on every route, and is absent from their list; an admin reaches it', async () => {
    for (const [method, body] of [['get', undefined], ['patch', { name: 'taken over' }], ['put', { name: 'taken over' }], ['delete', undefined]] as const) {
      expectError(await h.call(method, `/api/v1/records/${recordId}`, { token: as(bob), body }), 404, 'NOT_FOUND');
    }
    const bobList = await h.call('get', `/api/v1/records?owner_id=${alice.id}`, { token: as(bob) });
    expect(bobList.body.data.items).to.deep.equal([]);
    expect((await h.call('get', `/api/v1/records/${recordId}`, { token: as(alice) })).body.data.name).to.equal('alice private job');
    expect((await h.call('get', `/api/v1/records/${recordId}`, { token: as(admin) })).status).to.equal(200);
  });

  it('[V8.2.2][API1] another user\'s file is a 404 on metadata, content, link and delete; an admin reaches it', async () => {
    for (const [method, suffix] of [['get', ''], ['get', '/content'], ['get', '/url'], ['delete', '']] as const) {
      expectError(await h.call(method, `/api/v1/files/${fileId}${suffix}`, { token: as(bob) }), 404, 'NOT_FOUND');
    }
    expect((await h.call('get', '/api/v1/files', { token: as(bob) })).body.data.items.map((f: { id: string }) => f.id)).not.to.include(fileId);
    expect((await h.call('get', `/api/v1/files/${fileId}`, { token: as(admin) })).status).to.equal(200);
    expect((await h.call('get', `/api/v1/files/${fileId}`, { token: as(alice) })).status).to.equal(200);
  });

  it('[V8.2.2][API1] another user\'s account and sessions are a 404', async () => {
    for (const [method, body] of [['get', undefined], ['patch', { full_name: 'Mallory' }], ['delete', undefined]] as const) {
      expectError(await h.call(method, `/api/v1/users/${alice.id}`, { token: as(bob), body }), 404, 'NOT_FOUND');
    }
    expectError(await h.call('delete', `/api/v1/auth/sessions/${aliceSessionId}`, { token: as(bob) }), 404, 'NOT_FOUND');
    expect((await h.call('get', '/api/v1/auth/me', { token: as(alice) })).status).to.equal(200);
  });

  it('[V8.2.1][API5] admin functions are a 403 for a non-admin', async () => {
    expectError(await h.call('get', '/api/v1/users', { token: as(bob) }), 403, 'FORBIDDEN');
    expectError(
      await h.call('post', '/api/v1/users', { token: as(bob), body: { email: 'x@example.com', username: 'xuser', password: 'a long passphrase 9', role: 'admin' } }),
      403,
      'FORBIDDEN',
    );
    expect((await h.call('get', '/api/v1/users', { token: as(admin) })).status).to.equal(200);
  });

  it('[V8.2.3][V15.3.3][API3] no request raises its own privileges or writes a field it does not own', async () => {
    const n = Date.now().toString(36);
    const reg = (extra: Record<string, unknown>) =>
      h.call('post', '/api/v1/auth/register', { body: { email: `ma${n}${Object.keys(extra)[0]}@example.com`, username: `ma_${n}_${Object.keys(extra)[0]}`, password: 'a long passphrase 9', ...extra } });
    expectError(await reg({ role: 'admin' }), 422, 'VALIDATION_ERROR');
    for (const field of ['is_superuser', 'is_active', 'is_verified', 'id', 'password_hash', 'created_at']) {
      const res = await reg({ [field]: field === 'created_at' ? '2020-01-01T00:00:00Z' : true });
      expectError(res, 422, 'VALIDATION_ERROR');
      expect((res.body.detail as { field: string }[]).map((d) => d.field)).to.include(field);
    }
    for (const body of [{ role: 'admin' }, { is_superuser: true }, { is_active: true, full_name: 'x' }]) {
      expect([403, 422]).to.include((await h.call('patch', '/api/v1/auth/me', { token: as(bob), body })).status);
      expect([403, 422]).to.include((await h.call('patch', `/api/v1/users/${bob.id}`, { token: as(bob), body })).status);
    }
    const me = (await h.call('get', '/api/v1/auth/me', { token: as(bob) })).body.data;
    expect(me).to.include({ role: 'taker', is_superuser: false, is_active: true });
    for (const body of [{ name: 'r', config: {}, owner_id: bob.id }, { name: 'r', config: {}, id: recordId }, { name: 'r', config: {}, version: 7 }, { name: 'r', config: {}, created_by: alice.id }]) {
      expectError(await h.call('post', '/api/v1/records', { token: as(bob), body }), 422, 'VALIDATION_ERROR');
    }
    for (const body of [{ owner_id: bob.id }, { created_by: bob.id }, { version: 99 }]) {
      expectError(await h.call('patch', `/api/v1/records/${recordId}`, { token: as(alice), body }), 422, 'VALIDATION_ERROR');
    }
  });

  it('[V15.3.1] user payloads carry exactly the contract\'s fields: never a password or its hash', async () => {
    const fields = ['id', 'email', 'username', 'full_name', 'role', 'is_active', 'is_superuser', 'is_verified', 'created_at', 'updated_at'];
    expect(Object.keys((await h.call('get', '/api/v1/auth/me', { token: as(bob) })).body.data).sort()).to.deep.equal([...fields].sort());
    const listed = (await h.call('get', '/api/v1/users?size=100', { token: as(admin) })).body.data.items as Record<string, unknown>[];
    for (const u of listed) expect(Object.keys(u).sort()).to.deep.equal([...fields].sort());
  });
});
