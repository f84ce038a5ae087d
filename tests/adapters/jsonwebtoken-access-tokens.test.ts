import { createSecretKey, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { JsonwebtokenAccessTokens } from '../../adapters/jsonwebtoken/jsonwebtoken-access-tokens.js';
import { ManualClock } from '../support/manual-clock.js';

describe('JsonwebtokenAccessTokens', () => {
  const secret = randomBytes(32);
  const settings = { secret, issuer: 'portside', audience: 'portside-api', ttlSeconds: 900, clockToleranceSeconds: 5 };
  const clock = new ManualClock('2031-01-15T09:00:00.000Z');
  const tokens = new JsonwebtokenAccessTokens(settings, clock);
  const nowS = () => Math.floor(clock.now().getTime() / 1000);
  const sign = (payload: object, key: jwt.Secret = createSecretKey(secret), options: jwt.SignOptions = {}) =>
    jwt.sign(payload, key, { algorithm: 'HS256', ...options });
  const without = (key: string) => Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== key));
  const valid = () => ({ sub: 'u1', sid: 's1', jti: 'j1', typ: 'access', iss: 'portside', aud: 'portside-api', iat: nowS(), exp: nowS() + 60 });

  it('issues an HS256 token with sub, sid, jti, typ, iss, aud, iat and exp, and verifies it', async () => {
    const issued = await tokens.issue({ sub: 'user-1', sid: 'session-1' });
    expect(issued.expiresIn).to.equal(900);
    const decoded = jwt.decode(issued.token, { complete: true })!;
    expect(decoded.header).to.include({ alg: 'HS256', typ: 'JWT' });
    expect(decoded.payload).to.include({ sub: 'user-1', sid: 'session-1', typ: 'access', iss: 'portside', aud: 'portside-api' });
    const p = decoded.payload as jwt.JwtPayload;
    expect(p.exp! - p.iat!).to.equal(900);
    expect(p.iat).to.equal(nowS());
    expect(await tokens.verify(issued.token)).to.deep.equal({ sub: 'user-1', sid: 'session-1', jti: p.jti });
  });

  it('gives every token its own jti', async () => {
    const a = jwt.decode((await tokens.issue({ sub: 'u', sid: 's' })).token) as jwt.JwtPayload;
    const b = jwt.decode((await tokens.issue({ sub: 'u', sid: 's' })).token) as jwt.JwtPayload;
    expect(a.jti).to.be.a('string').and.not.equal(b.jti);
  });

  it('accepts a hand-made valid token (the negatives below differ from it in one point only)', async () => {
    expect(await tokens.verify(sign(valid()))).to.deep.equal({ sub: 'u1', sid: 's1', jti: 'j1' });
  });

  const negatives: [string, () => string][] = [
    ['alg none', () => jwt.sign(valid(), null, { algorithm: 'none' })],
    ['a wrong key', () => sign(valid(), createSecretKey(randomBytes(32)))],
    ['another HMAC algorithm with the right key', () => sign(valid(), createSecretKey(secret), { algorithm: 'HS512' })],
    ['no exp', () => sign(without('exp'))],
    ['a wrong issuer', () => sign({ ...valid(), iss: 'someone-else' })],
    ['a wrong audience', () => sign({ ...valid(), aud: 'another-api' })],
    ['no typ', () => sign(without('typ'))],
    ['typ refresh', () => sign({ ...valid(), typ: 'refresh' })],
    ['no sid', () => sign(without('sid'))],
    ['a tampered payload', () => {
      const [h, , s] = sign(valid()).split('.');
      return [h, Buffer.from(JSON.stringify({ ...valid(), sub: 'admin' })).toString('base64url'), s].join('.');
    }],
    ['garbage', () => 'not.a.jwt'],
    ['an empty string', () => ''],
  ];
  for (const [label, make] of negatives) {
    it(`refuses ${label} (null, never a throw)`, async () => {
      expect(await tokens.verify(make())).to.equal(null);
    });
  }

  it('refuses an expired token, allowing only the configured clock skew', async () => {
    const token = sign({ ...valid(), exp: nowS() - 4 });
    expect(await tokens.verify(token)).to.not.equal(null);
    clock.advanceSeconds(2);
    expect(await tokens.verify(token)).to.equal(null);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new JsonwebtokenAccessTokens({ ...settings, secret: randomBytes(16) }, clock)).to.throw(/32 bytes/);
  });
});
