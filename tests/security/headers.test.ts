import { expect } from 'chai';
import sinon from 'sinon';
import { RECORDS } from '../../composition/modules/records.js';
import { ALLOWED_ORIGIN, securityHarness, type Account, type SecurityHarness } from './harness.js';

/** OWASP API8:2023 Security Misconfiguration; ASVS 5.0 V3.4 (headers), V16.5.1 (errors). */
describe('security: headers, CORS and errors [API8:2023] [ASVS V3.4, V16.5]', function () {
  this.timeout(30_000);
  let h: SecurityHarness;
  let user: Account;

  before(async () => {
    h = await securityHarness();
    user = await h.account();
  });
  afterEach(() => sinon.restore());

  it('[V3.4.3][V3.4.4][V3.4.5][V3.4.6] security headers on success, error and documentation responses', async () => {
    for (const path of ['/api/v1/auth/me', '/api/v1/records/not-a-record', '/api/v1/auth/me?anonymous', '/api/docs/', '/no/such/route']) {
      const res = await h.call('get', path, path.endsWith('anonymous') ? {} : { token: user.tokens.access_token });
      const headers = res.headers as Record<string, string>;
      expect(headers['x-content-type-options'], path).to.equal('nosniff');
      expect(headers['x-powered-by'], path).to.equal(undefined);
      expect(headers['content-security-policy'], path).to.match(/frame-ancestors 'self'|frame-ancestors 'none'/);
      expect(headers['content-security-policy'], path).to.contain("default-src 'self'");
      expect(headers['referrer-policy'], path).to.equal('no-referrer');
      expect(headers['x-frame-options'], path).to.match(/SAMEORIGIN|DENY/);
      expect(headers['x-request-id'], path).to.be.a('string');
    }
  });

  it('[API8][V3.5] CORS: a foreign origin gets no allow-origin, simple or preflight; the configured one does', async () => {
    const foreign = await h.call('get', '/api/v1/auth/me', { token: user.tokens.access_token, headers: { Origin: 'https://evil.example' } });
    expect(foreign.headers['access-control-allow-origin']).to.equal(undefined);
    expect(foreign.headers['vary']).to.match(/Origin/);
    const preflight = await h.call('options', '/api/v1/records', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(preflight.headers['access-control-allow-origin']).to.equal(undefined);
    const allowed = await h.call('get', '/api/v1/auth/me', { token: user.tokens.access_token, headers: { Origin: ALLOWED_ORIGIN } });
    expect(allowed.headers['access-control-allow-origin']).to.equal(ALLOWED_ORIGIN);
    const nullOrigin = await h.call('get', '/api/v1/auth/me', { token: user.tokens.access_token, headers: { Origin: 'null' } });
    expect(nullOrigin.headers['access-control-allow-origin']).to.equal(undefined);
  });

  it('[V16.5.1] an unexpected error is a generic 500 envelope: no stack, no SQL, no library name', async () => {
    const list = h.t.container.get(RECORDS.ListRecords);
    sinon.stub(list, 'execute').rejects(new Error('relation "records" does not exist (SequelizeDatabaseError) at Query.run (/app/node_modules/sequelize/lib/query.js:50:25)'));
    const res = await h.call('get', '/api/v1/records', { token: user.tokens.access_token });
    expect(res.status).to.equal(500);
    expect(res.body).to.include({ code: 500, error: 'INTERNAL_ERROR' });
    expect(res.body.request_id).to.equal(res.headers['x-request-id']);
    for (const leak of ['relation', 'Sequelize', 'sequelize', 'node_modules', 'query.js', 'at ']) expect(res.text).not.to.contain(leak);
    // The operator gets the detail in the log, under the same request id.
    const logged = h.logLines.filter((l) => l.includes(res.body.request_id as string) && l.includes('"level":"error"'));
    expect(logged.join('\n')).to.contain('does not exist (SequelizeDatabaseError)');
  });

  it('[V4.1.3][V15.3.4] a client cannot choose its request id beyond the safe form, nor spoof its address by header', async () => {
    const echoed = await h.call('get', '/health', { headers: { 'X-Request-ID': 'client-id_1.2' } });
    expect(echoed.headers['x-request-id']).to.equal('client-id_1.2');
    for (const bad of ['a b', 'x'.repeat(129), '<script>', 'a\tb']) {
      const res = await h.call('get', '/health', { headers: { 'X-Request-ID': bad } });
      expect(res.headers['x-request-id']).not.to.equal(bad);
      expect(res.headers['x-request-id']).to.match(/^[A-Za-z0-9._-]{1,128}$/);
    }
  });
});
