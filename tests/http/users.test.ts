import { expect } from 'chai';
import request from 'supertest';
import { errorOf, fields, identityClient, PASSWORD, type IdentityClient } from './identity-client.js';

const USERS = '/api/v1/users';

describe('HTTP /api/v1/users', () => {
  let c: IdentityClient;
  let admin: Awaited<ReturnType<IdentityClient['anAdmin']>>;
  before(async () => {
    c = await identityClient();
    admin = await c.anAdmin();
  });
  after(async () => c.close());

  const as = (token: string) => ({
    get: (path = USERS) => request(c.app).get(path).set(c.bearer(token)),
    post: (body: object) => request(c.app).post(USERS).set(c.bearer(token)).send(body),
    patch: (id: string, body: object) => request(c.app).patch(`${USERS}/${id}`).set(c.bearer(token)).send(body),
    delete: (id: string) => request(c.app).delete(`${USERS}/${id}`).set(c.bearer(token)),
  });

  describe('GET /users', () => {
    it('admin: filters q, role and is_active, sorts, pages with meta', async () => {
      const tag = `zq${Date.now().toString(36)}`;
      const a = await c.register({ username: `${tag}_a`, role: 'giver' });
      const b = await c.register({ username: `${tag}_b`, full_name: 'Bea' });
      const d = await c.register({ username: `${tag}_c` });
      await as(admin.tokens.access_token).patch(d.id, { is_active: false }).expect(200);
      const list = async (query: string) => (await as(admin.tokens.access_token).get(`${USERS}?q=${tag}&${query}`).expect(200)).body.data;

      const all = await list('sort=-username');
      expect(all.items.map((u: { id: string }) => u.id)).to.deep.equal([d.id, b.id, a.id]);
      expect(all.meta).to.deep.equal({ total: 3, page: 1, size: 20, pages: 1, has_next: false, has_prev: false, next_cursor: null });
      expect((await list('role=giver')).items.map((u: { id: string }) => u.id)).to.deep.equal([a.id]);
      expect((await list('is_active=false')).items.map((u: { id: string }) => u.id)).to.deep.equal([d.id]);
      const page2 = await list('sort=created_at&size=2&page=2');
      expect(page2.items.map((u: { id: string }) => u.id)).to.deep.equal([d.id]);
      expect(page2.meta).to.include({ total: 3, pages: 2, has_next: false, has_prev: true });
      expect((await as(admin.tokens.access_token).get(`${USERS}?q=BEA`).expect(200)).body.data.items.map((u: { id: string }) => u.id))
        .to.include(b.id);
      expect(JSON.stringify(all)).to.not.include('password');
    });

    it('422 for an unknown sort, a size over 100, a bad role or flag', async () => {
      for (const q of ['sort=password_hash', 'size=101', 'page=0', 'role=admin', 'is_active=maybe']) {
        expect((await as(admin.tokens.access_token).get(`${USERS}?${q}`).expect(422)).body.error).to.equal('VALIDATION_ERROR');
      }
    });

    it('admin: walks every user once with next_cursor while users register, page ignored in cursor mode', async () => {
      const tag = `zc${Date.now().toString(36)}`;
      const registered: string[] = [];
      for (let i = 0; i < 5; i += 1) registered.push((await c.register({ username: `${tag}_${i}` })).id);
      const page = async (qs: string) => (await as(admin.tokens.access_token).get(`${USERS}?q=${tag}&sort=-username&size=2&${qs}`).expect(200)).body.data;
      const first = await page('');
      expect(first.meta).to.include({ page: 1, has_prev: false, has_next: true });
      const seen: string[] = first.items.map((u: { id: string }) => u.id);
      let cursor: string | null = first.meta.next_cursor;
      let added = 0;
      while (cursor !== null) {
        // One lands before the cursor (not served: it sorts above), one after it.
        await c.register({ username: `${tag}_${added % 2 === 0 ? 9 : 0}${added}` });
        added += 1;
        const next = await page(`page=7&cursor=${encodeURIComponent(cursor)}`);
        expect(next.meta).to.include({ page: 1, has_prev: true });
        expect(next.meta.has_next).to.equal(next.meta.next_cursor !== null);
        seen.push(...next.items.map((u: { id: string }) => u.id));
        cursor = next.meta.next_cursor;
      }
      expect(new Set(seen).size, 'no user served twice').to.equal(seen.length);
      expect(seen).to.include.members(registered);
    });

    it('admin: a cursor carrying a long non-ASCII email still round-trips', async () => {
      const tag = `zu${Date.now().toString(36)}`;
      const email = `${'é'.repeat(200)}${tag}@example.com`;
      const long = await c.register({ email, username: `${tag}_long` });
      const later = await c.register({ email: `${'é'.repeat(201)}${tag}@example.com`, username: `${tag}_later` });
      const first = (await as(admin.tokens.access_token).get(`${USERS}?q=${tag}&sort=email&size=1`).expect(200)).body.data;
      expect(first.items.map((u: { id: string }) => u.id)).to.deep.equal([long.id]);
      const next = await as(admin.tokens.access_token).get(`${USERS}?q=${tag}&sort=email&size=1&cursor=${encodeURIComponent(first.meta.next_cursor)}`).expect(200);
      expect(next.body.data.items.map((u: { id: string }) => u.id)).to.deep.equal([later.id]);
      expect(next.body.data.meta.next_cursor).to.equal(null);
    });

    it('422 on cursor for a malformed cursor, and for a cursor from another sort', async () => {
      await c.register();
      await c.register();
      const cursor = (await as(admin.tokens.access_token).get(`${USERS}?sort=username&size=1`).expect(200)).body.data.meta.next_cursor as string;
      expect(cursor).to.be.a('string');
      const forged = Buffer.from('["username","a","not-a-uuid"]').toString('base64url');
      // An empty `cursor=` is no cursor at all (docs/api.md, input rules): the first page.
      await as(admin.tokens.access_token).get(`${USERS}?size=1&cursor=`).expect(200);
      for (const qs of ['cursor=not-a-cursor', `cursor=${forged}&sort=username`, ...['-username', 'email', 'created_at'].map((sort) => `sort=${sort}&cursor=${encodeURIComponent(cursor)}`)]) {
        const res = await as(admin.tokens.access_token).get(`${USERS}?size=1&${qs}`).expect(422);
        expect(res.body.error, qs).to.equal('VALIDATION_ERROR');
        expect(fields(res), qs).to.deep.equal(['cursor']);
      }
    });

    it('403 for a non-admin, 401 without a token', async () => {
      const { tokens } = await c.aUser();
      expect((await as(tokens.access_token).get().expect(403)).body.error).to.equal('FORBIDDEN');
      await request(c.app).get(USERS).expect(401);
    });
  });

  describe('POST /users', () => {
    it('admin creates a user with role, is_active and is_superuser', async () => {
      const res = await as(admin.tokens.access_token)
        .post({ email: 'made.by.admin@example.com', username: 'made_by_admin', password: PASSWORD, role: 'giver', is_superuser: true, is_active: true })
        .expect(201);
      expect(res.body.data).to.include({ role: 'giver', is_superuser: true, is_active: true });
      expect(res.headers['location']).to.equal(`${USERS}/${res.body.data.id}`);
      const tokens = await c.login({ email: 'made.by.admin@example.com' });
      await as(tokens.access_token).get().expect(200);
    });

    it('403 for a non-admin; 422 for a weak password or an unknown field; 409 for a taken email', async () => {
      const { user, tokens } = await c.aUser();
      await as(tokens.access_token).post({ email: 'x1@example.com', username: 'x_one', password: PASSWORD }).expect(403);
      expect(fields(await as(admin.tokens.access_token).post({ email: 'x2@example.com', username: 'x_two', password: '12345678' }).expect(422)))
        .to.deep.equal(['password']);
      expect(fields(await as(admin.tokens.access_token).post({ email: 'x3@example.com', username: 'x_three', password: PASSWORD, is_verified: true }).expect(422)))
        .to.deep.equal(['is_verified']);
      await as(admin.tokens.access_token).post({ email: user.email, username: 'x_four', password: PASSWORD }).expect(409);
    });
  });

  describe('GET /users/{id}', () => {
    it('self and admin see the user; another non-admin gets 404, as for an unknown or malformed id', async () => {
      const me = await c.aUser();
      const other = await c.aUser();
      expect((await as(me.tokens.access_token).get(`${USERS}/${me.user.id}`).expect(200)).body.data).to.deep.equal(me.user);
      await as(admin.tokens.access_token).get(`${USERS}/${me.user.id}`).expect(200);
      const hidden = await as(me.tokens.access_token).get(`${USERS}/${other.user.id}`).expect(404);
      const unknown = await as(me.tokens.access_token).get(`${USERS}/01890a5d-ac96-774b-bcce-b302099a8057`).expect(404);
      expect(hidden.body.message).to.equal(unknown.body.message);
      await as(me.tokens.access_token).get(`${USERS}/not-a-uuid`).expect(404);
    });
  });

  describe('PATCH /users/{id}', () => {
    it('self may change profile fields; admin-only fields are 403 and change nothing', async () => {
      const { user, tokens } = await c.aUser();
      expect((await as(tokens.access_token).patch(user.id, { full_name: 'Me Myself' }).expect(200)).body.data.full_name).to.equal('Me Myself');
      for (const body of [{ role: 'giver' }, { is_superuser: true }, { is_active: false }]) {
        expect((await as(tokens.access_token).patch(user.id, body).expect(403)).body.error).to.equal('FORBIDDEN');
      }
      expect((await c.me(tokens.access_token).expect(200)).body.data).to.include({ role: 'taker', is_superuser: false, is_active: true });
    });

    it('a non-admin patching someone else gets 404', async () => {
      const me = await c.aUser();
      const other = await c.aUser();
      await as(me.tokens.access_token).patch(other.user.id, { full_name: 'Hijacked' }).expect(404);
    });

    it('admin changes role and admin flags; the change shows on the user\'s next request', async () => {
      const { user, tokens } = await c.aUser();
      await as(tokens.access_token).get().expect(403);
      const res = await as(admin.tokens.access_token).patch(user.id, { role: 'giver', is_superuser: true }).expect(200);
      expect(res.body.data).to.include({ role: 'giver', is_superuser: true });
      await as(tokens.access_token).get().expect(200);
    });

    it('admin disabling a user ends all their sessions at once; the user cannot log in', async () => {
      const { user, tokens } = await c.aUser();
      const other = await c.login(user);
      await as(admin.tokens.access_token).patch(user.id, { is_active: false }).expect(200);
      await c.me(tokens.access_token).expect(401);
      await c.refresh(other.refresh_token).expect(401);
      await request(c.app).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(401);
    });

    it('409 when the only active admin would disable, demote or delete themselves; nothing changes', async () => {
      // An app of its own: the shared one gains admins in other tests.
      const solo = await identityClient();
      try {
        const only = await solo.anAdmin();
        const send = (req: request.Test) => req.set(solo.bearer(only.tokens.access_token));
        const refused = {
          code: 409,
          error: 'CONFLICT',
          message: 'The last active administrator cannot be disabled, demoted or deleted',
        };
        for (const body of [{ is_active: false }, { is_superuser: false }]) {
          expect(errorOf(await send(request(solo.app).patch(`${USERS}/${only.user.id}`)).send(body).expect(409))).to.deep.equal(refused);
        }
        expect(errorOf(await send(request(solo.app).delete(`${USERS}/${only.user.id}`)).expect(409))).to.deep.equal(refused);
        expect((await solo.me(only.tokens.access_token).expect(200)).body.data).to.include({ is_active: true, is_superuser: true });
      } finally {
        await solo.close();
      }
    });

    it('422 for an unknown field or a malformed email', async () => {
      const { user, tokens } = await c.aUser();
      expect(fields(await as(tokens.access_token).patch(user.id, { password: 'x' }).expect(422))).to.deep.equal(['password']);
      expect(fields(await as(admin.tokens.access_token).patch(user.id, { email: 'not-an-email' }).expect(422))).to.deep.equal(['email']);
    });
  });

  describe('DELETE /users/{id}', () => {
    it('self delete: 204, the token stops working, the email and username can be registered again', async () => {
      const { user, tokens } = await c.aUser();
      await as(tokens.access_token).delete(user.id).expect(204);
      await c.me(tokens.access_token).expect(401);
      await as(admin.tokens.access_token).get(`${USERS}/${user.id}`).expect(404);
      const again = await c.register({ email: user.email, username: user.username });
      expect(again.id).to.not.equal(user.id);
    });

    it('admin deletes anyone; a non-admin deleting someone else gets 404 and nothing happens', async () => {
      const victim = await c.aUser();
      const bystander = await c.aUser();
      await as(bystander.tokens.access_token).delete(victim.user.id).expect(404);
      await c.me(victim.tokens.access_token).expect(200);
      await as(admin.tokens.access_token).delete(victim.user.id).expect(204);
      await c.refresh(victim.tokens.refresh_token).expect(401);
      await as(admin.tokens.access_token).delete(victim.user.id).expect(404);
    });
  });

  it('OpenAPI documents every users route', async () => {
    const doc = (await request(c.app).get('/api/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths['/api/v1/users'])).to.have.members(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/users/{id}'])).to.have.members(['get', 'patch', 'delete']);
    expect(doc.paths['/api/v1/users'].get.responses).to.have.property('403');
  });
});
