import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { identityClient, PASSWORD, type IdentityClient, type Tokens } from '../http/identity-client.js';

/**
 * The embedded profile under ordinary concurrency, through the composed HTTP app: PGlite is one
 * session, and every request's reads, writes and transactions share it. Through pglite-socket
 * this gave intermittent 500s ("unnamed prepared statement does not exist", "portal \"\" does not
 * exist"); every answer here must be the one a user expects, with no 500 at all.
 */
describe('embedded profile under concurrent requests (PGlite, composed app)', function () {
  this.timeout(300_000);
  let dir: string;
  let c: IdentityClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portside-stress-'));
    // Concurrent logins of one account each count against its failure budget until they succeed.
    c = await identityClient({ PROFILE: 'embedded', DATA_DIR: dir, LOGIN_MAX_FAILURES: '1000' }, { migrate: true });
  });
  after(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const statuses = (responses: request.Response[]) => responses.map((r) => r.status);
  const bearer = (tokens: Tokens) => ({ Authorization: `Bearer ${tokens.access_token}` });

  it('mixed registrations, logins, record creates, updates and lists at once: every status as expected', async () => {
    const tag = randomBytes(3).toString('hex');
    // 12 registrations at once (each a transaction: user row, uniqueness checks).
    const registered = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        request(c.app).post('/api/v1/auth/register').send({ email: `s${i}-${tag}@example.com`, username: `s${i}_${tag}`, password: PASSWORD }),
      ),
    );
    expect(statuses(registered)).to.deep.equal(Array(12).fill(201));
    const users = registered.map((r) => r.body.data as { id: string; email: string });

    // Every user logs in three times at once: 36 concurrent logins (session + refresh token writes).
    const logins = await Promise.all(users.flatMap((u) => [0, 1, 2].map(() => request(c.app).post('/api/v1/auth/login').send({ email: u.email, password: PASSWORD }))));
    expect(statuses(logins)).to.deep.equal(Array(36).fill(200));
    const tokens = users.map((_, i) => logins[i * 3]!.body.data as Tokens);

    // A duplicate registration among them is a 409, not a 500.
    const clash = await request(c.app).post('/api/v1/auth/register').send({ email: users[0]!.email, username: `other_${tag}`, password: PASSWORD });
    expect(clash.status).to.equal(409);

    // Writes, reads and lists interleaved: each user creates 4 records, while everyone lists and reads /me.
    const round = await Promise.all(
      tokens.flatMap((t, i) => [
        ...[0, 1, 2, 3].map((n) =>
          request(c.app)
            .post('/api/v1/records')
            .set(bearer(t))
            .send({ name: `job ${i}-${n}`, config: { schedule: '0 2 * * *', n } }),
        ),
        request(c.app).get('/api/v1/records?size=100').set(bearer(t)),
        request(c.app).get('/api/v1/auth/me').set(bearer(t)),
        request(c.app).get('/api/v1/auth/sessions').set(bearer(t)),
      ]),
    );
    const expected = tokens.flatMap(() => [201, 201, 201, 201, 200, 200, 200]);
    expect(statuses(round)).to.deep.equal(expected);
    const created = round.filter((r) => r.status === 201).map((r) => r.body.data as { id: string; owner_id: string });

    // Concurrent updates (each in a transaction with a row lock) and reads of the same records.
    const updates = await Promise.all(
      created.flatMap((record) => {
        const t = tokens[users.findIndex((u) => u.id === record.owner_id)]!;
        return [
          request(c.app).patch(`/api/v1/records/${record.id}`).set(bearer(t)).send({ status: 'inactive' }),
          request(c.app).patch(`/api/v1/records/${record.id}`).set(bearer(t)).send({ description: 'updated' }),
          request(c.app).get(`/api/v1/records/${record.id}`).set(bearer(t)),
        ];
      }),
    );
    expect(statuses(updates)).to.deep.equal(created.flatMap(() => [200, 200, 200]));

    // Both concurrent changes landed on every record, and every user sees exactly their four.
    const lists = await Promise.all(tokens.map((t) => request(c.app).get('/api/v1/records?size=100').set(bearer(t))));
    expect(statuses(lists)).to.deep.equal(Array(12).fill(200));
    for (const list of lists) {
      const items = list.body.data.items as { status: string; description: string; version: number }[];
      expect(items).to.have.length(4);
      for (const item of items) expect(item).to.include({ status: 'inactive', description: 'updated', version: 3 });
    }
  });

  it('20 concurrent POSTs with one Idempotency-Key: one record, every answer 201 (first or replay) or 409 (in progress)', async () => {
    const { tokens } = await c.aUser();
    const key = `stress-${randomBytes(8).toString('hex')}`;
    const body = { name: 'Nightly orders import', config: { source: 's3://shop/orders', schedule: '0 2 * * *' } };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(c.app).post('/api/v1/records').set(bearer(tokens)).set('Idempotency-Key', key).send(body)),
    );
    for (const answer of answers) expect([201, 409], JSON.stringify(answer.body)).to.include(answer.status);
    const ok = answers.filter((a) => a.status === 201);
    expect(ok.length).to.be.greaterThan(0);
    expect(new Set(ok.map((a) => a.body.data.id)).size).to.equal(1);
    const list = await request(c.app).get('/api/v1/records').set(bearer(tokens)).expect(200);
    expect(list.body.data.meta.total).to.equal(1);
    // Once the first finished, the key replays the same record.
    const replay = await request(c.app).post('/api/v1/records').set(bearer(tokens)).set('Idempotency-Key', key).send(body).expect(201);
    expect(replay.headers['idempotent-replayed']).to.equal('true');
    expect(replay.body.data.id).to.equal(ok[0]!.body.data.id);
  });

  it('20 concurrent logins of one user, then refreshes, logouts and reads at once: no 500', async () => {
    const { user } = await c.aUser();
    const reader = await c.aUser();
    const logins = await Promise.all(Array.from({ length: 20 }, () => request(c.app).post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD })));
    expect(statuses(logins)).to.deep.equal(Array(20).fill(200));
    const sessions = logins.map((l) => l.body.data as Tokens);
    const mixed = await Promise.all(
      sessions.flatMap((t, i) => [
        i % 2 === 0 ? c.refresh(t.refresh_token) : request(c.app).post('/api/v1/auth/logout').set(bearer(t)),
        request(c.app).get('/api/v1/auth/sessions').set(bearer(reader.tokens)),
      ]),
    );
    expect(statuses(mixed)).to.deep.equal(sessions.flatMap((_, i) => [i % 2 === 0 ? 200 : 204, 200]));
  });
});
