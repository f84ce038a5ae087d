import { expect } from 'chai';
import sinon from 'sinon';
import { IDENTITY } from '../../composition/modules/identity.js';
import { expectError, LOGIN_MAX_FAILURES, PASSWORD, securityHarness, type SecurityHarness } from './harness.js';

/** OWASP API2:2023 Broken Authentication, API4:2023 (anti-automation); ASVS 5.0 V6 and V7. */
describe('security: authentication and sessions [API2:2023] [ASVS V6, V7]', function () {
  this.timeout(30_000);
  let h: SecurityHarness;

  before(async () => {
    h = await securityHarness();
  });
  afterEach(() => sinon.restore());

  const login = (body: Record<string, unknown>, headers: Record<string, string> = {}) => h.call('post', '/api/v1/auth/login', { body, headers });
  const envelopeOf = (body: Record<string, unknown>) => {
    const { request_id: _id, ...rest } = body;
    return rest;
  };

  it('[V6.3.8] an unknown account and a wrong password give the same status and body, and both verify a password hash (no timing oracle)', async () => {
    const alice = await h.account();
    const verify = sinon.spy(h.t.container.get(IDENTITY.PasswordHasher), 'verify');
    const wrong = await login({ email: alice.email, password: `${PASSWORD} wrong` });
    const unknown = await login({ email: `nobody-${Date.now()}@example.com`, password: `${PASSWORD} wrong` });
    const unknownName = await login({ username: `nobody_${Date.now()}`, password: `${PASSWORD} wrong` });
    expectError(wrong, 401, 'UNAUTHENTICATED');
    expect(envelopeOf(unknown.body)).to.deep.equal(envelopeOf(wrong.body));
    expect(envelopeOf(unknownName.body)).to.deep.equal(envelopeOf(wrong.body));
    expect([unknown.status, unknownName.status]).to.deep.equal([401, 401]);
    // Timing: the unknown path pays for one verification like the known one (against a dummy hash).
    expect(verify.callCount).to.equal(3);
  });

  it('[V6.3.1][API4:2023] brute force is stopped per account, and rotating X-Forwarded-For does not reset it', async () => {
    const victim = await h.account();
    for (let i = 0; i < LOGIN_MAX_FAILURES; i += 1) {
      expectError(await login({ email: victim.email, password: `guess ${i} of many` }, { 'X-Forwarded-For': `203.0.113.${i}` }), 401, 'UNAUTHENTICATED');
    }
    const blocked = await login({ email: victim.email, password: victim.password }, { 'X-Forwarded-For': '198.51.100.77' });
    expectError(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).to.be.greaterThan(0);
    // Another account from the same client is not locked out by it.
    const other = await h.account();
    expect((await login({ email: other.email, password: other.password })).status).to.equal(200);
  });

  it('[V6.2.1][V6.2.4][V6.2.9][V6.2.11] passwords: at least 8 characters, not a common one, not the username or email, 64+ characters allowed', async () => {
    const n = `${Date.now().toString(36)}p`;
    const register = (password: string, extra: Record<string, string> = {}) =>
      h.call('post', '/api/v1/auth/register', { body: { email: `${n}${extra['e'] ?? ''}@example.com`, username: `pw_${n}${extra['e'] ?? ''}`, password } });
    for (const weak of ['short7!', 'password', 'password123', `pw_${n}`, `${n}@example.com`]) {
      const res = await register(weak);
      expectError(res, 422, 'VALIDATION_ERROR');
      expect((res.body.detail as { field: string }[]).map((d) => d.field)).to.include('password');
    }
    h.passwords.add('x'.repeat(64) + ' long passphrase'.repeat(3));
    expect((await register('x'.repeat(64) + ' long passphrase'.repeat(3), { e: 'long' })).status).to.equal(201);
    expectError(await register('y'.repeat(129), { e: 'toolong' }), 422, 'VALIDATION_ERROR');
  });

  it('[V7.2.3][V7.2.4] every login opens a new session with fresh, unrelated tokens', async () => {
    const bob = await h.account();
    const again = await h.login(bob.email, bob.password);
    expect(again.refresh_token).not.to.equal(bob.tokens.refresh_token);
    expect(again.access_token).not.to.equal(bob.tokens.access_token);
    // 256-bit opaque refresh tokens: at least 128 bits of entropy as base64url.
    expect(Buffer.from(again.refresh_token, 'base64url').length).to.be.at.least(16);
    const sessions = await h.call('get', '/api/v1/auth/sessions', { token: again.access_token });
    expect(sessions.body.data.items).to.have.length(2);
  });

  it('[V7.4.1][V9] a refresh token reused after its grace window ends the whole session family', async () => {
    const carol = await h.account();
    const first = await h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: carol.tokens.refresh_token } });
    expect(first.status).to.equal(200);
    h.clock.advanceSeconds(120);
    expectError(await h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: carol.tokens.refresh_token } }), 401, 'UNAUTHENTICATED');
    // The thief's replay revoked the family: the legitimate successor and its access token are dead too.
    expectError(await h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: first.body.data.refresh_token } }), 401, 'UNAUTHENTICATED');
    expectError(await h.call('get', '/api/v1/auth/me', { token: first.body.data.access_token }), 401, 'UNAUTHENTICATED');
  });

  it('[V7.2.4] concurrent refreshes of one token yield one successor, never two live branches', async () => {
    const dave = await h.account();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: dave.tokens.refresh_token } })),
    );
    const successors = new Set(answers.filter((r) => r.status === 200).map((r) => r.body.data.refresh_token as string));
    expect(answers.every((r) => r.status === 200 || r.status === 401)).to.equal(true);
    expect(successors.size).to.equal(1);
  });

  it('[V7.4.2] disabling a user ends every session at once; [V7.4.5] an admin can do it', async () => {
    const admin = await h.admin();
    const erin = await h.account();
    expect((await h.call('patch', `/api/v1/users/${erin.id}`, { token: admin.tokens.access_token, body: { is_active: false } })).status).to.equal(200);
    expectError(await h.call('get', '/api/v1/auth/me', { token: erin.tokens.access_token }), 401, 'UNAUTHENTICATED');
    expectError(await h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: erin.tokens.refresh_token } }), 401, 'UNAUTHENTICATED');
    expectError(await login({ email: erin.email, password: erin.password }), 401, 'UNAUTHENTICATED');
  });

  it('[V7.4.3] a password change ends the other sessions and keeps this one', async () => {
    const frank = await h.account();
    const other = await h.login(frank.email, frank.password);
    const newPassword = `${PASSWORD} renewed ${Date.now()}`;
    h.passwords.add(newPassword);
    const changed = await h.call('post', '/api/v1/auth/change-password', {
      token: frank.tokens.access_token,
      body: { current_password: frank.password, new_password: newPassword },
    });
    expect(changed.status).to.equal(204);
    expectError(await h.call('get', '/api/v1/auth/me', { token: other.access_token }), 401, 'UNAUTHENTICATED');
    expectError(await h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: other.refresh_token } }), 401, 'UNAUTHENTICATED');
    expect((await h.call('get', '/api/v1/auth/me', { token: frank.tokens.access_token })).status).to.equal(200);
    expectError(await login({ email: frank.email, password: frank.password }), 401, 'UNAUTHENTICATED');
  });

  it('[V7.5.2] a user lists and ends their own sessions, and cannot end anyone else\'s', async () => {
    const gina = await h.account();
    const second = await h.login(gina.email, gina.password);
    const mallory = await h.account();
    const items = (await h.call('get', '/api/v1/auth/sessions', { token: gina.tokens.access_token })).body.data.items as { id: string; current: boolean }[];
    expect(items.filter((s) => s.current)).to.have.length(1);
    const otherId = items.find((s) => !s.current)!.id;
    expectError(await h.call('delete', `/api/v1/auth/sessions/${otherId}`, { token: mallory.tokens.access_token }), 404, 'NOT_FOUND');
    expect((await h.call('get', '/api/v1/auth/me', { token: second.access_token })).status).to.equal(200);
    expect((await h.call('delete', `/api/v1/auth/sessions/${otherId}`, { token: gina.tokens.access_token })).status).to.equal(204);
    expectError(await h.call('get', '/api/v1/auth/me', { token: second.access_token }), 401, 'UNAUTHENTICATED');
  });

  it('[V6.3.2] there is no default account to log in with', async () => {
    for (const username of ['admin', 'root', 'sa', 'administrator']) {
      for (const password of ['admin', 'password', 'changeme', 'admin123']) {
        expect((await login({ username, password })).status).to.equal(401);
      }
    }
  });
});
