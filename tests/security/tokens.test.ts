import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { expectError, securityHarness, type Account, type SecurityHarness } from './harness.js';

/** OWASP API2:2023 Broken Authentication; ASVS 5.0 V9 (self-contained tokens), V7.2.1, V7.4.1. */
describe('security: access tokens [API2:2023] [ASVS V9]', function () {
  this.timeout(30_000);
  let h: SecurityHarness;
  let alice: Account;
  let claims: { sub: string; sid: string };

  before(async () => {
    h = await securityHarness();
    alice = await h.account();
    const decoded = jwt.decode(alice.tokens.access_token) as { sub: string; sid: string };
    claims = { sub: decoded.sub, sid: decoded.sid };
  });

  const me = (token: string) => h.call('get', '/api/v1/auth/me', { token });
  const refused = async (token: string) => {
    const res = await me(token);
    expectError(res, 401, 'UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).to.match(/^Bearer/);
  };

  it('control: a token forged with the server key and a live session is accepted (so each refusal below is for its own reason)', async () => {
    expect((await me(h.forge(claims))).status).to.equal(200);
  });

  it('[V9.1.1] refuses a token signed with another key', async () => {
    await refused(h.forge(claims, {}, 'another-key-of-the-same-length-0123456789ab'));
  });

  it('[V9.1.1] refuses a token whose payload was altered after signing', async () => {
    const bob = await h.account();
    const [head, , sig] = alice.tokens.access_token.split('.');
    const payload = { ...(jwt.decode(alice.tokens.access_token) as object), sub: bob.id };
    await refused(`${head}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`);
  });

  it('[V9.1.2] refuses alg "none" and any algorithm but HS256, even with the right key', async () => {
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const body = { ...claims, jti: randomUUID(), typ: 'access', iat: now, exp: now + 600, iss: 'portside', aud: 'portside-api' };
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.`;
    await refused(none);
    await refused(h.forge(claims, { algorithm: 'HS512' }));
  });

  it('[V9.2.1] refuses an expired token (beyond the clock tolerance)', async () => {
    const now = Math.floor(h.clock.now().getTime() / 1000);
    await refused(h.forge({ ...claims, iat: now - 1000, exp: now - 60 }));
  });

  it('[V9.2.3] refuses a token for another audience or from another issuer', async () => {
    await refused(h.forge(claims, { audience: 'another-api' }));
    await refused(h.forge(claims, { issuer: 'someone-else' }));
  });

  it('[V9.2.2] refuses a token of another type, and the refresh token used as a bearer token', async () => {
    await refused(h.forge({ ...claims, typ: 'refresh' }));
    await refused(h.forge({ ...claims, typ: undefined }));
    await refused(alice.tokens.refresh_token);
  });

  it('[V7.2.1] refuses a well-signed token naming a session the server never opened', async () => {
    await refused(h.forge({ ...claims, sid: randomUUID() }));
  });

  it('[V7.4.1] refuses the access token of a session that logged out, on the very next request', async () => {
    const carol = await h.account();
    expect((await me(carol.tokens.access_token)).status).to.equal(200);
    expect((await h.call('post', '/api/v1/auth/logout', { token: carol.tokens.access_token, body: {} })).status).to.equal(204);
    await refused(carol.tokens.access_token);
    expectError(await h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: carol.tokens.refresh_token } }), 401, 'UNAUTHENTICATED');
  });

  it('refuses malformed Authorization headers with the same 401 envelope', async () => {
    for (const header of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `bearer${alice.tokens.access_token}`, 'Bearer a.b.c', `Bearer ${'x'.repeat(9000)}`]) {
      const res = await h.call('get', '/api/v1/auth/me', { headers: { Authorization: header } });
      expectError(res, 401, 'UNAUTHENTICATED');
    }
  });
});
