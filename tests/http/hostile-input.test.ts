import { expect } from 'chai';
import request from 'supertest';
import { MAX_INPUT_DEPTH } from '../../adapters/http/validation.js';
import { identityClient, PASSWORD, type IdentityClient } from './identity-client.js';
import { recordsApp } from './records-app.js';

const API = '/api/v1/records';
const NUL = 'must not contain NUL characters (U+0000)';
const SURROGATE = 'must not contain unpaired surrogates (it is not valid Unicode)';
const DEEP = `nests more than ${MAX_INPUT_DEPTH} levels of arrays and objects`;

/**
 * What no field of any route may carry, checked once where every request is decoded: NUL, lone
 * surrogates, nesting past the depth limit. Records are the example; the check sits below every route.
 */
describe('HTTP hostile input: NUL, lone surrogates and deep nesting are a 422 naming the field', () => {
  let ctx: ReturnType<typeof recordsApp>;
  beforeEach(() => {
    ctx = recordsApp();
  });
  const auth = { Authorization: 'Bearer alice' };
  const postRaw = (json: string) => request(ctx.app).post(API).set(auth).set('Content-Type', 'application/json').send(json);
  const stored = async () => (await request(ctx.app).get(API).set(auth).expect(200)).body.data.items as unknown[];

  for (const [label, body, field, message] of [
    ['NUL in a text field', { name: 'a\u0000b' }, 'name', NUL],
    ['NUL in a nullable text field', { name: 'ok', description: '\u0000' }, 'description', NUL],
    ['NUL deep inside config', { name: 'ok', config: { a: { b: ['x', 'y\u0000'] } } }, 'config.a.b.1', NUL],
    ['a lone high surrogate in config', { name: 'ok', config: { s: 'x\ud800' } }, 'config.s', SURROGATE],
    ['a lone low surrogate in a text field', { name: '\udc00' }, 'name', SURROGATE],
    ['NUL in a key of config', { name: 'ok', config: { 'k\u0000': 1 } }, 'config', `has a key that ${NUL}`],
  ] as const) {
    it(`refuses ${label} with 422 and stores nothing`, async () => {
      const res = await request(ctx.app).post(API).set(auth).send(body).expect(422);
      expect(res.body.error).to.equal('VALIDATION_ERROR');
      expect(res.body.detail).to.deep.include({ field, message });
      expect(await stored()).to.have.length(0);
    });
  }

  it('keeps well-formed astral characters (a surrogate pair) as they are', async () => {
    const res = await request(ctx.app).post(API).set(auth).send({ name: 'rocket 🚀', config: { e: '😀' } }).expect(201);
    expect(res.body.data).to.include({ name: 'rocket 🚀' });
    expect(res.body.data.config).to.deep.equal({ e: '😀' });
  });

  it('refuses config nested 10,000 deep with 422, not a stack overflow', async () => {
    const json = `{"name":"deep","config":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const res = await postRaw(json).expect(422);
    const [issue] = res.body.detail as { field: string; message: string }[];
    expect(issue!.message).to.equal(DEEP);
    expect(issue!.field).to.match(/^config(\.a)+$/);
    expect(await stored()).to.have.length(0);
  });

  it('refuses arrays nested past the limit too, and accepts exactly the limit', async () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    // The body is one level, config a second: config may hold MAX_INPUT_DEPTH - 2 more.
    await postRaw(`{"name":"x","config":{"a":${nested(MAX_INPUT_DEPTH - 2)}}}`).expect(201);
    const res = await postRaw(`{"name":"x","config":{"a":${nested(MAX_INPUT_DEPTH - 1)}}}`).expect(422);
    expect((res.body.detail as { message: string }[])[0]!.message).to.equal(DEEP);
  });

  it('refuses NUL in a query parameter and in a path parameter', async () => {
    const q = await request(ctx.app).get(`${API}?q=a%00b`).set(auth).expect(422);
    expect(q.body.detail).to.deep.equal([{ field: 'q', message: NUL }]);
    const path = await request(ctx.app).get(`${API}/a%00b`).set(auth).expect(422);
    expect(path.body.detail).to.deep.equal([{ field: 'id', message: NUL }]);
  });

  it('refuses NUL on update as on create', async () => {
    const created = (await request(ctx.app).post(API).set(auth).send({ name: 'ok' }).expect(201)).body.data as { id: string; version: number };
    const res = await request(ctx.app).patch(`${API}/${created.id}`).set(auth).set('If-Match', `"${created.version}"`).send({ config: { x: '\u0000' } }).expect(422);
    expect(res.body.detail).to.deep.equal([{ field: 'config.x', message: NUL }]);
  });

  it('takes an empty query parameter as absent (cursor=, q=, status=, sort=, size=)', async () => {
    await request(ctx.app).post(API).set(auth).send({ name: 'one' }).expect(201);
    const res = await request(ctx.app).get(`${API}?cursor=&q=&status=&sort=&size=&owner_id=`).set(auth).expect(200);
    expect(res.body.data.items).to.have.length(1);
  });
});

describe('HTTP hostile input on the composed app: the same rule on identity, users and files routes', function () {
  this.timeout(30_000);
  let c: IdentityClient;
  before(async () => {
    c = await identityClient();
  });
  after(async () => c.close());

  it('refuses NUL and lone surrogates in JSON bodies, form bodies and query strings of every kind of route', async () => {
    const { tokens } = await c.aUser();
    const reg = await request(c.app).post('/api/v1/auth/register').send({ email: 'x@example.com', username: 'bad\u0000name', password: PASSWORD }).expect(422);
    expect(reg.body.detail).to.deep.equal([{ field: 'username', message: NUL }]);
    const login = await request(c.app).post('/api/v1/auth/login').send({ email: 'x@example.com', password: 'pw\ud800' }).expect(422);
    expect(login.body.detail).to.deep.equal([{ field: 'password', message: SURROGATE }]);
    const form = await request(c.app).post('/api/v1/auth/token').type('form').send('grant_type=password&username=a%00b&password=x').expect(422);
    expect(form.body.detail).to.deep.equal([{ field: 'username', message: NUL }]);
    const me = await request(c.app).patch('/api/v1/auth/me').set(c.bearer(tokens.access_token)).send({ username: 'x\u0000' }).expect(422);
    expect(me.body.detail).to.deep.equal([{ field: 'username', message: NUL }]);
    const files = await request(c.app).get('/api/v1/files?size=%00').set(c.bearer(tokens.access_token)).expect(422);
    expect(files.body.detail).to.deep.equal([{ field: 'size', message: NUL }]);
    // The empty-parameter rule holds on the composed app too.
    await request(c.app).get('/api/v1/files?page=&size=').set(c.bearer(tokens.access_token)).expect(200);
  });
});
