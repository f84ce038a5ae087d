import { expect } from 'chai';
import { securityHarness, TOKEN_ISSUING, type SecurityHarness } from './harness.js';

/**
 * ASVS 5.0 V16.2.5 (no credentials in logs), V15.3.1 (no more than is needed in responses), OWASP
 * API3:2023: over everything the security suite did (this file runs last), no response showed a
 * password, a password hash or a token it had no reason to carry, and no log line showed any.
 */
describe('security: no secret in any response or log line [API3:2023] [ASVS V16.2.5, V15.3.1]', function () {
  let h: SecurityHarness;

  before(async function () {
    this.timeout(30_000);
    h = await securityHarness();
    // Whatever ran before, the account life cycle itself is checked: register, log in, refresh,
    // fail a login, change the password, log out.
    const a = await h.account();
    const refreshed = await h.call('post', '/api/v1/auth/refresh', { body: { refresh_token: a.tokens.refresh_token } });
    await h.call('post', '/api/v1/auth/login', { body: { email: a.email, password: `${a.password} typo` } });
    const renewed = `${a.password} renewed`;
    h.passwords.add(renewed);
    await h.call('post', '/api/v1/auth/change-password', { token: refreshed.body.data.access_token, body: { current_password: a.password, new_password: renewed } });
    await h.call('get', '/api/v1/auth/me', { token: refreshed.body.data.access_token });
    await h.call('post', '/api/v1/auth/logout', { token: refreshed.body.data.access_token, body: { refresh_token: refreshed.body.data.refresh_token } });
  });

  it('there are responses and log lines to check (so the checks below cannot pass on nothing)', () => {
    expect(h.seen.length).to.be.greaterThan(5);
    expect(h.passwords.size).to.be.greaterThan(2);
    expect(h.tokens.size).to.be.greaterThan(3);
    expect(h.logLines.length).to.be.greaterThan(5);
  });

  it('no response body or header carries a password or a password hash', () => {
    for (const seen of h.seen) {
      const text = `${seen.text}\n${JSON.stringify(seen.headers)}`;
      expect(text, seen.route).not.to.match(/\$argon2/);
      for (const password of h.passwords) expect(text.includes(password), `${seen.route} shows a password`).to.equal(false);
    }
  });

  it('tokens appear only in the answers that issue them', () => {
    for (const seen of h.seen.filter((s) => !TOKEN_ISSUING.has(s.route))) {
      const text = `${seen.text}\n${JSON.stringify(seen.headers)}`;
      for (const token of h.tokens) expect(text.includes(token), `${seen.route} shows a token`).to.equal(false);
    }
  });

  it('no log line carries a password, a token or a password hash', () => {
    const logs = h.logLines.join('\n');
    expect(logs).not.to.match(/\$argon2/);
    for (const password of h.passwords) expect(logs.includes(password), 'a password in the logs').to.equal(false);
    for (const token of h.tokens) expect(logs.includes(token), 'a token in the logs').to.equal(false);
    // Refresh tokens are opaque: check their halves too, in case a line cut one.
    for (const token of h.tokens) expect(logs.includes(token.slice(0, 24)), 'part of a token in the logs').to.equal(false);
  });

  after(async () => {
    await h?.t.close();
  });
});
