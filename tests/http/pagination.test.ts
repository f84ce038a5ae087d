import { expect } from 'chai';
import request from 'supertest';
import { aPng } from '../support/file-samples.js';
import { identityClient, type IdentityClient } from './identity-client.js';

/**
 * The contract's rule for every list that pages by cursor: a cursor page does not count (its cost
 * stays flat as the collection grows) unless asked with `with_total=true`, and page mode refuses
 * to reach past row 10,000, pointing to `cursor`.
 */
describe('Lists whose cost stays flat (records, users, files)', function () {
  this.timeout(30_000);
  let c: IdentityClient;
  let user: string;
  let admin: string;

  before(async () => {
    c = await identityClient();
    user = (await c.aUser()).tokens.access_token;
    admin = (await c.anAdmin()).tokens.access_token;
    await c.register();
    for (const name of ['a', 'b', 'c']) {
      await request(c.app).post('/api/v1/records').set(c.bearer(user)).send({ name, config: {} }).expect(201);
    }
    for (let i = 0; i < 3; i += 1) {
      await request(c.app).post('/api/v1/files').set(c.bearer(user)).attach('file', aPng(), { filename: `f${i}.png`, contentType: 'image/png' }).expect(201);
    }
  });
  after(async () => {
    await c?.close();
  });

  const lists = [
    { name: 'records', path: '/api/v1/records', token: () => user, atLeast: 3 },
    { name: 'users', path: '/api/v1/users', token: () => admin, atLeast: 3 },
    { name: 'files', path: '/api/v1/files', token: () => user, atLeast: 3 },
  ];

  for (const list of lists) {
    describe(`GET ${list.path}`, () => {
      const get = (qs: string) => request(c.app).get(`${list.path}?${qs}`).set(c.bearer(list.token()));

      it('page mode keeps total and pages', async () => {
        const meta = (await get('size=1').expect(200)).body.data.meta;
        expect(meta.total).to.be.at.least(list.atLeast);
        expect(meta.pages).to.equal(meta.total);
        expect(meta.has_next).to.equal(true);
        expect(meta.next_cursor).to.be.a('string');
      });

      it('cursor mode answers total and pages as null, and counts with with_total=true', async () => {
        const first = (await get('size=1').expect(200)).body.data.meta;
        const cursor = encodeURIComponent(first.next_cursor as string);
        const next = (await get(`size=1&cursor=${cursor}`).expect(200)).body.data;
        expect(next.items).to.have.length(1);
        expect(next.meta).to.include({ total: null, pages: null, page: 1, has_prev: true, has_next: true });
        const counted = (await get(`size=1&cursor=${cursor}&with_total=true`).expect(200)).body.data.meta;
        expect(counted).to.include({ total: first.total, pages: first.pages });
        const notCounted = (await get(`size=1&cursor=${cursor}&with_total=false`).expect(200)).body.data.meta;
        expect(notCounted.total).to.equal(null);
      });

      it('refuses a page reaching past row 10,000 with a 422 on page that names cursor', async () => {
        await get('page=100&size=100').expect(200);
        await get('page=500&size=20').expect(200);
        for (const qs of ['page=101&size=100', 'page=501&size=20', 'page=10001&size=1']) {
          const res = await get(qs).expect(422);
          expect(res.body.error).to.equal('VALIDATION_ERROR');
          const detail = res.body.detail as { field: string; message: string }[];
          expect(detail.map((d) => d.field)).to.deep.equal(['page']);
          expect(detail[0]!.message).to.contain('cursor');
        }
        // A cursor makes page irrelevant, however deep it says.
        const cursor = encodeURIComponent((await get('size=1').expect(200)).body.data.meta.next_cursor as string);
        await get(`page=100000&size=100&cursor=${cursor}`).expect(200);
      });

      it('refuses a with_total that is not a boolean', async () => {
        const res = await get('with_total=yes').expect(422);
        expect((res.body.detail as { field: string }[]).map((d) => d.field)).to.deep.equal(['with_total']);
      });
    });
  }

  it('the OpenAPI document says so: with_total on every cursor list, total and pages nullable', async () => {
    const doc = (await request(c.app).get('/api/openapi.json').expect(200)).body;
    for (const path of ['/api/v1/records', '/api/v1/users', '/api/v1/files']) {
      const op = doc.paths[path].get;
      const params = (op.parameters as { name: string }[]).map((p) => p.name);
      expect(params, path).to.include.members(['page', 'size', 'cursor', 'with_total']);
      const meta = op.responses['200'].content['application/json'].schema.properties.data.properties.meta;
      const nullableNumber = { anyOf: [{ type: 'number' }, { type: 'null' }] };
      expect(meta.properties.total, path).to.deep.equal(nullableNumber);
      expect(meta.properties.pages, path).to.deep.equal(nullableNumber);
      expect(meta.required, path).to.include.members(['total', 'pages', 'next_cursor']);
      const withTotal = (op.parameters as { name: string; schema: { description?: string } }[]).find((p) => p.name === 'with_total');
      expect(withTotal?.schema.description, path).to.contain('meta.total');
    }
  });
});
