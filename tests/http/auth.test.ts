import { createSecretKey, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import sinon from 'sinon';
import { IDENTITY } from '../../composition/modules/identity.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';
import { ManualClock } from '../support/manual-clock.js';
import { errorOf, fields, identityClient, PASSWORD, type IdentityClient } from './identity-client.js';

const AUTH = '/api/v1/auth';

describe('HTTP /api/v1/auth', () => {
  let c: IdentityClient;
  before(async () => {
    c = await identityClient({ LOGIN_MAX_FAILURES: '3' });
  });
  after(async () => c.close());

  describe('POST /register', () => {
    it('creates a taker by default: 201, the user without any password field, a Location', async () => {
      const res = await request(c.app)
        .post(`${AUTH}/register`)
        .send({ email: 'Reg.One@Example.com', username: 'reg_one', password: PASSWORD, full_name: 'Reg One' })
        .expect(201);
      expect(res.body).to.include({ code: 201, message: 'success' });
      const user = res.body.data;
      expect(Object.keys(user).sort()).to.deep.equal(
        ['created_at', 'email', 'full_name', 'id', 'is_active', 'is_superuser', 'is_verified', 'role', 'updated_at', 'username'],
      );
      expect(user).to.include({ email: 'reg.one@example.com', username: 'reg_one', full_name: 'Reg One', role: 'taker' });
      expect(user).to.include({ is_active: true, is_superuser: false, is_verified: false });
      expect(user.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(res.headers['location']).to.equal(`/api/v1/users/${user.id}`);
      expect(JSON.stringify(res.body)).to.not.include(PASSWORD);
    });

    it('accepts role giver', async () => {
      expect((await c.register({ role: 'giver' })).role).to.equal('giver');
    });

    it('answers 409 for a taken email or username, whatever the case', async () => {
      const taken = await c.register();
      for (const body of [
        { email: taken.email.toUpperCase(), username: 'fresh_name_1', password: PASSWORD },
        { email: 'fresh1@example.com', username: taken.username.toUpperCase(), password: PASSWORD },
      ]) {
        const res = await request(c.app).post(`${AUTH}/register`).send(body).expect(409);
        expect(res.body.error).to.equal('CONFLICT');
      }
    });

    for (const [label, password] of [
      ['shorter than 8 characters', 'a1b2c3'],
      ['longer than 128 characters', 'x'.repeat(129)],
      ['a commonly used password', 'password1'],
      ['the username', 'weak_user_x'],
    ] as const) {
      it(`refuses a password ${label} with 422 on the password field`, async () => {
        const res = await request(c.app).post(`${AUTH}/register`).send({ email: 'w@example.com', username: 'weak_user_x', password }).expect(422);
        expect(res.body.error).to.equal('VALIDATION_ERROR');
        expect(fields(res)).to.deep.equal(['password']);
      });
    }

    it('refuses admin fields and unknown fields (no mass assignment), and an unknown role', async () => {
      const base = { email: 'm@example.com', username: 'mass_assign', password: PASSWORD };
      for (const [extra, field] of [
        [{ is_superuser: true }, 'is_superuser'],
        [{ is_active: false }, 'is_active'],
        [{ role: 'admin' }, 'role'],
        [{ password_hash: 'x' }, 'password_hash'],
      ] as const) {
        const res = await request(c.app).post(`${AUTH}/register`).send({ ...base, ...extra }).expect(422);
        expect(fields(res)).to.include(field);
      }
      await request(c.app).post(`${AUTH}/login`).send({ email: base.email, password: PASSWORD }).expect(401);
    });

    it('refuses a malformed email or username with 422 naming the field', async () => {
      const bad = await request(c.app).post(`${AUTH}/register`).send({ email: 'nope', username: 'a b', password: PASSWORD }).expect(422);
      expect(fields(bad)).to.have.members(['email', 'username']);
    });

    it('answers 400 for unparseable JSON and 415 for a non-JSON body', async () => {
      await request(c.app).post(`${AUTH}/register`).set('Content-Type', 'application/json').send('{"email":').expect(400);
      await request(c.app).post(`${AUTH}/register`).set('Content-Type', 'text/plain').send('hello').expect(415);
    });
  });

  describe('POST /login', () => {
    it('logs in by email or by username: bearer tokens, not cacheable', async () => {
      const user = await c.register();
      for (const body of [{ email: user.email.toUpperCase(), password: PASSWORD }, { username: user.username, password: PASSWORD }]) {
        const res = await request(c.app).post(`${AUTH}/login`).send(body).expect(200);
        expect(res.body.data).to.include({ token_type: 'bearer', expires_in: 900 });
        expect(res.body.data.access_token).to.be.a('string');
        expect(res.body.data.refresh_token).to.be.a('string');
        expect(res.headers['cache-control']).to.equal('no-store');
        await c.me(res.body.data.access_token).expect(200);
      }
    });

    it('answers an unknown account and a wrong password identically: same status, same body', async () => {
      const user = await c.register();
      const wrong = await request(c.app).post(`${AUTH}/login`).send({ email: user.email, password: 'not the password' }).expect(401);
      const unknown = await request(c.app).post(`${AUTH}/login`).send({ email: 'nobody-here@example.com', password: 'not the password' }).expect(401);
      expect(errorOf(wrong)).to.deep.equal(errorOf(unknown));
      expect(errorOf(wrong)).to.deep.equal({ code: 401, error: 'UNAUTHENTICATED', message: 'Invalid credentials' });
      const byName = await request(c.app).post(`${AUTH}/login`).send({ username: 'nobody_here', password: 'not the password' }).expect(401);
      expect(errorOf(byName)).to.deep.equal(errorOf(wrong));
    });

    it('needs exactly one of email and username', async () => {
      const user = await c.register();
      const both = await request(c.app).post(`${AUTH}/login`).send({ email: user.email, username: user.username, password: PASSWORD }).expect(422);
      const neither = await request(c.app).post(`${AUTH}/login`).send({ password: PASSWORD }).expect(422);
      expect(fields(both)).to.deep.equal(['email']);
      expect(fields(neither)).to.deep.equal(['email']);
    });

    it('answers 429 with Retry-After and RateLimit headers after LOGIN_MAX_FAILURES failures, even for the right password', async () => {
      const user = await c.register();
      for (let i = 0; i < 3; i++) await request(c.app).post(`${AUTH}/login`).send({ email: user.email, password: 'wrong password' }).expect(401);
      const res = await request(c.app).post(`${AUTH}/login`).send({ email: user.email, password: PASSWORD }).expect(429);
      expect(res.body.error).to.equal('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).to.be.within(1, 900);
      expect(res.headers).to.have.property('ratelimit-limit');
      // Not the request limiter's unspent budget: a client reading Remaining must see that nothing is left.
      expect(res.headers['ratelimit-remaining']).to.equal('0');
      expect(res.headers['ratelimit-reset']).to.equal(res.headers['retry-after']);
    });
  });

  describe('POST /token (OAuth2 password grant)', () => {
    it('takes a form with username (or email) and password, as Swagger UI sends it, Basic client header included', async () => {
      const user = await c.register();
      for (const username of [user.username, user.email]) {
        const res = await request(c.app)
          .post(`${AUTH}/token`)
          .set('Authorization', `Basic ${Buffer.from(':').toString('base64')}`)
          .type('form')
          .send({ grant_type: 'password', username, password: PASSWORD, scope: '' })
          .expect(200);
        expect(res.body).to.include({ code: 200, message: 'success', token_type: 'bearer' });
        expect(res.body).to.not.have.property('error');
        expect(res.body.access_token).to.equal(res.body.data.access_token);
        expect(res.headers['cache-control']).to.equal('no-store');
        await c.me(res.body.access_token).expect(200);
      }
    });

    it('refuses bad credentials with 401, a wrong grant type with 422 and JSON with 415', async () => {
      const user = await c.register();
      await request(c.app).post(`${AUTH}/token`).type('form').send({ username: user.username, password: 'wrong password' }).expect(401);
      await request(c.app).post(`${AUTH}/token`).type('form').send({ grant_type: 'client_credentials', username: user.username, password: PASSWORD }).expect(422);
      await request(c.app).post(`${AUTH}/token`).send({ username: user.username, password: PASSWORD }).expect(415);
    });
  });

  describe('POST /refresh', () => {
    it('returns a new pair; a retry with the same token within the grace window gets the same refresh token', async () => {
      const { tokens } = await c.aUser();
      const first = await c.refresh(tokens.refresh_token).expect(200);
      const retry = await c.refresh(tokens.refresh_token).expect(200);
      expect(first.body.data.refresh_token).to.not.equal(tokens.refresh_token);
      expect(retry.body.data.refresh_token).to.equal(first.body.data.refresh_token);
      await c.me(first.body.data.access_token).expect(200);
      await c.refresh(first.body.data.refresh_token).expect(200);
    });

    it('refuses an unknown token, an access token, and a missing one', async () => {
      const { tokens } = await c.aUser();
      expect((await c.refresh(randomBytes(32).toString('base64url')).expect(401)).body.error).to.equal('UNAUTHENTICATED');
      await c.refresh(tokens.access_token).expect(401);
      expect(fields(await request(c.app).post(`${AUTH}/refresh`).send({}).expect(422))).to.deep.equal(['refresh_token']);
    });

    it('reuse of a spent token after the grace window ends the whole session', async () => {
      const clock = new ManualClock();
      const noGrace = await identityClient({ REFRESH_REUSE_GRACE: '0' }, { clock });
      try {
        const { tokens } = await noGrace.aUser();
        const next = (await noGrace.refresh(tokens.refresh_token).expect(200)).body.data;
        clock.advanceSeconds(1); // past a zero-second grace window
        await noGrace.refresh(tokens.refresh_token).expect(401);
        await noGrace.refresh(next.refresh_token).expect(401);
        await noGrace.me(next.access_token).expect(401);
      } finally {
        await noGrace.close();
      }
    });
  });

  describe('POST /logout and /logout-all', () => {
    it('logout ends this session: its access and refresh tokens stop working at once, others keep working', async () => {
      const { user, tokens } = await c.aUser();
      const other = await c.login(user);
      await request(c.app).post(`${AUTH}/logout`).set(c.bearer(tokens.access_token)).send({ refresh_token: tokens.refresh_token }).expect(204);
      await c.me(tokens.access_token).expect(401);
      await c.refresh(tokens.refresh_token).expect(401);
      await c.me(other.access_token).expect(200);
    });

    it('logout works without a body, and needs a bearer token', async () => {
      const { tokens } = await c.aUser();
      await request(c.app).post(`${AUTH}/logout`).set(c.bearer(tokens.access_token)).expect(204);
      await request(c.app).post(`${AUTH}/logout`).expect(401);
    });

    it('logout-all ends every session of the caller', async () => {
      const { user, tokens } = await c.aUser();
      const other = await c.login(user);
      await request(c.app).post(`${AUTH}/logout-all`).set(c.bearer(tokens.access_token)).expect(204);
      for (const t of [tokens, other]) {
        await c.me(t.access_token).expect(401);
        await c.refresh(t.refresh_token).expect(401);
      }
    });
  });

  describe('GET, PATCH, PUT /me', () => {
    it('returns the caller', async () => {
      const { user, tokens } = await c.aUser();
      const res = await c.me(tokens.access_token).expect(200);
      expect(res.body.data).to.deep.equal(user);
    });

    it('PATCH and PUT change profile fields and leave the rest', async () => {
      const { tokens } = await c.aUser({ full_name: 'Old Name' });
      const patched = await request(c.app).patch(`${AUTH}/me`).set(c.bearer(tokens.access_token)).send({ full_name: 'New Name' }).expect(200);
      expect(patched.body.data.full_name).to.equal('New Name');
      const put = await request(c.app).put(`${AUTH}/me`).set(c.bearer(tokens.access_token)).send({ username: 'renamed_via_put' }).expect(200);
      expect(put.body.data).to.include({ full_name: 'New Name', username: 'renamed_via_put' });
    });

    it('changing the email needs the current password (422 without it), and works with it', async () => {
      const { tokens } = await c.aUser();
      const bare = await request(c.app).patch(`${AUTH}/me`).set(c.bearer(tokens.access_token)).send({ email: 'moved1@example.com' }).expect(422);
      expect(fields(bare)).to.deep.equal(['current_password']);
      const wrong = await request(c.app)
        .patch(`${AUTH}/me`)
        .set(c.bearer(tokens.access_token))
        .send({ email: 'moved1@example.com', current_password: 'not my password' })
        .expect(422);
      // A client that sent a password must be told it is wrong, not that it is missing.
      expect(wrong.body.detail).to.deep.equal([{ field: 'current_password', message: 'is incorrect' }]);
      const ok = await request(c.app)
        .patch(`${AUTH}/me`)
        .set(c.bearer(tokens.access_token))
        .send({ email: 'moved1@example.com', current_password: PASSWORD })
        .expect(200);
      expect(ok.body.data.email).to.equal('moved1@example.com');
    });

    it('refuses role and admin flags as unknown fields, and a taken username with 409', async () => {
      const taken = await c.register();
      const { tokens } = await c.aUser();
      for (const body of [{ role: 'giver' }, { is_superuser: true }, { is_active: false }]) {
        await request(c.app).patch(`${AUTH}/me`).set(c.bearer(tokens.access_token)).send(body).expect(422);
      }
      await request(c.app).patch(`${AUTH}/me`).set(c.bearer(tokens.access_token)).send({ username: taken.username }).expect(409);
    });
  });

  describe('POST /change-password', () => {
    const NEW = 'an entirely new passphrase';

    it('204; the current session keeps working, every other one ends, the new password logs in', async () => {
      const { user, tokens } = await c.aUser();
      const other = await c.login(user);
      await request(c.app)
        .post(`${AUTH}/change-password`)
        .set(c.bearer(tokens.access_token))
        .send({ current_password: PASSWORD, new_password: NEW })
        .expect(204);
      await c.me(tokens.access_token).expect(200);
      await c.me(other.access_token).expect(401);
      await c.refresh(other.refresh_token).expect(401);
      await request(c.app).post(`${AUTH}/login`).send({ email: user.email, password: PASSWORD }).expect(401);
      await c.login(user, NEW);
    });

    it('503 and nothing changed when the session store is down; the same request works once it is back', async () => {
      const { user, tokens } = await c.aUser();
      const other = await c.login(user);
      const store = c.t.container.get(IDENTITY.TokenStore);
      const outage = sinon.stub(store, 'revokeAllForUser').rejects(new DependencyUnavailableError('redis'));
      const send = () =>
        request(c.app).post(`${AUTH}/change-password`).set(c.bearer(tokens.access_token)).send({ current_password: PASSWORD, new_password: NEW });
      try {
        await send().expect(503);
      } finally {
        outage.restore();
      }
      await c.login(user, PASSWORD);
      await c.me(other.access_token).expect(200);
      await send().expect(204);
      await c.me(other.access_token).expect(401);
      await c.login(user, NEW);
    });

    it('422 for a wrong current password or a weak new one; 401 without a token', async () => {
      const { tokens } = await c.aUser();
      const wrong = await request(c.app)
        .post(`${AUTH}/change-password`)
        .set(c.bearer(tokens.access_token))
        .send({ current_password: 'not my password', new_password: NEW })
        .expect(422);
      expect(fields(wrong)).to.deep.equal(['current_password']);
      const weak = await request(c.app)
        .post(`${AUTH}/change-password`)
        .set(c.bearer(tokens.access_token))
        .send({ current_password: PASSWORD, new_password: 'qwerty123' })
        .expect(422);
      expect(fields(weak)).to.deep.equal(['new_password']);
      await request(c.app).post(`${AUTH}/change-password`).send({ current_password: PASSWORD, new_password: NEW }).expect(401);
    });
  });

  describe('GET /sessions and DELETE /sessions/{id}', () => {
    it('lists the caller\'s sessions with device data, newest first, the current one marked', async () => {
      const { user, tokens } = await c.aUser();
      const res2 = await request(c.app).post(`${AUTH}/login`).set('User-Agent', 'PhoneApp/1.0').send({ email: user.email, password: PASSWORD }).expect(200);
      const res = await request(c.app).get(`${AUTH}/sessions`).set(c.bearer(tokens.access_token)).expect(200);
      const { items, meta } = res.body.data;
      expect(meta).to.include({ total: 2, page: 1, size: 20, pages: 1, has_next: false, has_prev: false });
      expect(items.map((s: { current: boolean }) => s.current)).to.deep.equal([false, true]);
      expect(Object.keys(items[0]).sort()).to.deep.equal(['created_at', 'current', 'id', 'ip', 'last_used_at', 'user_agent']);
      expect(items[0].user_agent).to.equal('PhoneApp/1.0');
      expect(items[0].ip).to.be.a('string');
      const phone = items[0].id as string;
      await request(c.app).delete(`${AUTH}/sessions/${phone}`).set(c.bearer(tokens.access_token)).expect(204);
      await c.me(res2.body.data.access_token).expect(401);
      await c.me(tokens.access_token).expect(200);
      await request(c.app).delete(`${AUTH}/sessions/${phone}`).set(c.bearer(tokens.access_token)).expect(404);
    });

    it('404 for another user\'s session, an unknown id and a malformed id', async () => {
      const me = await c.aUser();
      const other = await c.aUser();
      const theirs = (await request(c.app).get(`${AUTH}/sessions`).set(c.bearer(other.tokens.access_token)).expect(200)).body.data.items[0].id;
      await request(c.app).delete(`${AUTH}/sessions/${theirs}`).set(c.bearer(me.tokens.access_token)).expect(404);
      await c.me(other.tokens.access_token).expect(200);
      await request(c.app).delete(`${AUTH}/sessions/01890a5d-ac96-774b-bcce-b302099a8057`).set(c.bearer(me.tokens.access_token)).expect(404);
      await request(c.app).delete(`${AUTH}/sessions/not-a-uuid`).set(c.bearer(me.tokens.access_token)).expect(404);
    });
  });

  describe('bearer tokens that must not work', () => {
    let valid: Record<string, unknown>;
    let secret: Buffer;
    before(async () => {
      const { tokens } = await c.aUser();
      valid = jwt.decode(tokens.access_token) as Record<string, unknown>;
      secret = Buffer.from(c.t.runtime.infra.jwtSecret, 'utf8');
    });
    const nowS = () => Math.floor(Date.now() / 1000);
    const sign = (payload: object, key: Buffer = secret) => jwt.sign(payload, createSecretKey(key), { algorithm: 'HS256' });
    const without = (key: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key));

    it('the untampered token works (so each case below fails for its own reason)', async () => {
      await c.me(sign(valid)).expect(200);
    });

    const cases: [string, () => string][] = [
      ['alg none', () => jwt.sign(valid, null, { algorithm: 'none' })],
      ['a wrong key', () => sign(valid, randomBytes(32))],
      ['an expired token', () => sign({ ...valid, iat: nowS() - 3600, exp: nowS() - 60 })],
      ['no exp', () => sign(without('exp'))],
      ['a wrong issuer', () => sign({ ...valid, iss: 'evil' })],
      ['a wrong audience', () => sign({ ...valid, aud: 'other-api' })],
      ['a non-access typ', () => sign({ ...valid, typ: 'refresh' })],
      ['a garbage token', () => 'abc.def.ghi'],
    ];
    for (const [label, make] of cases) {
      it(`401 for ${label}, with WWW-Authenticate: Bearer`, async () => {
        const res = await c.me(make()).expect(401);
        expect(res.body.error).to.equal('UNAUTHENTICATED');
        expect(res.headers['www-authenticate']).to.match(/^Bearer/);
      });
    }

    it('401 for a refresh token used as a bearer token', async () => {
      const { tokens } = await c.aUser();
      await c.me(tokens.refresh_token).expect(401);
    });

    it('401 without a token, with another scheme, or with an empty bearer', async () => {
      await request(c.app).get(`${AUTH}/me`).expect(401);
      await request(c.app).get(`${AUTH}/me`).set('Authorization', 'Basic Og==').expect(401);
      await request(c.app).get(`${AUTH}/me`).set('Authorization', 'Bearer ').expect(401);
    });
  });

  describe('password hashing at capacity (PASSWORD_HASH_CONCURRENCY=1, PASSWORD_HASH_MAX_WAITING=0)', () => {
    let busy: IdentityClient;
    before(async () => {
      busy = await identityClient({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_MAX_WAITING: '0' });
    });
    after(async () => busy.close());
    afterEach(() => sinon.restore());

    it('answers login, register and change-password with 503 and Retry-After while the one slot is taken, and serves them again once it frees', async () => {
      const { user, tokens } = await busy.aUser();
      // The first verification holds the only slot until the test lets it go.
      let release!: () => void;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const verify = argon2.verify.bind(argon2);
      sinon.stub(argon2, 'verify').onFirstCall().callsFake(async (hash: string, password: string | Buffer) => {
        entered();
        await new Promise<void>((resolve) => (release = resolve));
        return verify(hash, password);
      }).callThrough();
      const holding = request(busy.app).post(`${AUTH}/login`).send({ email: user.email, password: PASSWORD }).then((res) => res);
      await inside;
      const refused = [
        await request(busy.app).post(`${AUTH}/login`).send({ email: user.email, password: PASSWORD }).expect(503),
        await request(busy.app).post(`${AUTH}/register`).send({ email: 'cap.reg@example.com', username: 'cap_reg', password: PASSWORD }).expect(503),
        await request(busy.app).post(`${AUTH}/change-password`).set(busy.bearer(tokens.access_token)).send({ current_password: PASSWORD, new_password: 'another fine passphrase' }).expect(503),
      ];
      for (const res of refused) {
        expect(res.body).to.include({ code: 503, error: 'SERVICE_UNAVAILABLE' });
        expect(res.body.message).to.include('password hashing');
        expect(res.headers['retry-after']).to.equal('2');
      }
      release();
      expect((await holding).status).to.equal(200);
      await busy.login(user);
      await request(busy.app).post(`${AUTH}/register`).send({ email: 'cap.reg@example.com', username: 'cap_reg', password: PASSWORD }).expect(201);
    });
  });

  describe('OpenAPI', () => {
    it('documents every auth route, the bearer scheme and the OAuth2 password flow on /auth/token', async () => {
      const doc = (await request(c.app).get('/api/openapi.json').expect(200)).body;
      for (const [path, method] of [
        ['register', 'post'], ['login', 'post'], ['token', 'post'], ['refresh', 'post'], ['logout', 'post'], ['logout-all', 'post'],
        ['me', 'get'], ['me', 'patch'], ['me', 'put'], ['change-password', 'post'], ['sessions', 'get'], ['sessions/{id}', 'delete'],
      ]) {
        expect(doc.paths[`/api/v1/auth/${path}`], `${method} ${path}`).to.have.property(method!);
      }
      expect(doc.components.securitySchemes.bearer).to.include({ type: 'http', scheme: 'bearer' });
      expect(doc.components.securitySchemes.oauth2.flows.password.tokenUrl).to.equal('/api/v1/auth/token');
      expect(doc.paths['/api/v1/auth/token'].post.requestBody.content).to.have.property('application/x-www-form-urlencoded');
      expect(doc.paths['/api/v1/auth/me'].get.security).to.deep.include({ bearer: [] });
      expect(doc.paths['/api/v1/auth/login'].post).to.not.have.property('security');
    });
  });
});
