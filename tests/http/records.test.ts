import { expect } from 'chai';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { recordsApp } from './records-app.js';

type Who = 'alice' | 'bob' | 'admin';
const API = '/api/v1/records';

describe('HTTP /api/v1/records', () => {
  let ctx: ReturnType<typeof recordsApp>;
  beforeEach(() => {
    ctx = recordsApp();
  });

  const as = (who: Who) => ({
    post: (body: unknown, path = API) => request(ctx.app).post(path).set('Authorization', `Bearer ${who}`).send(body as object),
    get: (path = API) => request(ctx.app).get(path).set('Authorization', `Bearer ${who}`),
    patch: (id: string, body: unknown) => request(ctx.app).patch(`${API}/${id}`).set('Authorization', `Bearer ${who}`).send(body as object),
    put: (id: string, body: unknown) => request(ctx.app).put(`${API}/${id}`).set('Authorization', `Bearer ${who}`).send(body as object),
    delete: (id: string) => request(ctx.app).delete(`${API}/${id}`).set('Authorization', `Bearer ${who}`),
  });
  const createAs = async (who: Who, body: Record<string, unknown> = {}) => {
    const res = await as(who).post({ name: 'Nightly import', config: { schedule: '0 2 * * *' }, ...body }).expect(201);
    return res.body.data as { id: string; version: number; name: string };
  };
  const fields = (res: request.Response) => (res.body.detail as { field: string }[]).map((d) => d.field);

  describe('POST /records', () => {
    it('creates a record owned by the caller: 201, envelope, ETag and Location', async () => {
      const res = await as('alice')
        .post({ name: 'Orders', description: 'd', config: { source: 'a', schedule: '*/5 * * * *', batch_size: 1000 }, status: 'inactive' })
        .expect(201);
      expect(res.body).to.include({ code: 201, message: 'success' });
      const data = res.body.data;
      expect(data).to.deep.include({
        owner_id: ctx.actor('alice').userId,
        name: 'Orders',
        description: 'd',
        status: 'inactive',
        version: 1,
        created_by: ctx.actor('alice').userId,
        updated_by: ctx.actor('alice').userId,
      });
      expect(data.config).to.deep.equal({ source: 'a', schedule: '*/5 * * * *', batch_size: 1000 });
      expect(data.created_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(res.headers['etag']).to.equal('"1"');
      expect(res.headers['location']).to.equal(`${API}/${data.id}`);
      expect(data).to.not.have.property('deleted_at');
    });

    for (const [label, body, field] of [
      ['owner_id', { name: 'x', owner_id: uuidv7() }, 'owner_id'],
      ['id', { name: 'x', id: uuidv7() }, 'id'],
      ['version', { name: 'x', version: 7 }, 'version'],
      ['created_by', { name: 'x', created_by: uuidv7() }, 'created_by'],
    ] as const) {
      it(`refuses the unknown field ${label} with 422 and creates nothing`, async () => {
        const res = await as('alice').post(body).expect(422);
        expect(res.body.error).to.equal('VALIDATION_ERROR');
        expect(fields(res)).to.include(field);
        expect((await as('alice').get().expect(200)).body.data.meta.total).to.equal(0);
      });
    }

    for (const [label, body, field] of [
      ['a missing name', { config: {} }, 'name'],
      ['an empty name', { name: '   ' }, 'name'],
      ['a 256-character name', { name: 'x'.repeat(256) }, 'name'],
      ['an array config', { name: 'x', config: [] }, 'config'],
      ['a string config', { name: 'x', config: 'nope' }, 'config'],
      ['an unknown status', { name: 'x', status: 'deleted' }, 'status'],
      ['an invalid schedule', { name: 'x', config: { schedule: 'every day at two' } }, 'config.schedule'],
      ['a config over 64 KiB', { name: 'x', config: { blob: 'x'.repeat(70_000) } }, 'config'],
    ] as const) {
      it(`answers 422 for ${label}`, async () => {
        const res = await as('alice').post(body).expect(422);
        expect(fields(res)).to.deep.equal([field]);
      });
    }

    it('answers 401 without a token and 400 for malformed JSON', async () => {
      await request(ctx.app).post(API).send({ name: 'x' }).expect(401);
      const res = await request(ctx.app).post(API).set('Authorization', 'Bearer alice').set('Content-Type', 'application/json').send('{"name":').expect(400);
      expect(res.body.error).to.equal('BAD_REQUEST');
    });
  });

  describe('POST /records with Idempotency-Key', () => {
    const post = (who: Who, key: string, body: object) => as(who).post(body).set('Idempotency-Key', key);

    it('replays the first response for a retry with the same key and body, creating one record', async () => {
      const first = await post('alice', 'k-1', { name: 'Once', config: { a: 1, b: 2 } }).expect(201);
      ctx.h.clock.advanceSeconds(3600);
      // Key order in the body does not make it a different request.
      const again = await post('alice', 'k-1', { config: { b: 2, a: 1 }, name: 'Once' }).expect(201);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers['etag']).to.equal(first.headers['etag']);
      expect(again.headers['location']).to.equal(first.headers['location']);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect((await as('alice').get().expect(200)).body.data.meta.total).to.equal(1);
    });

    it('answers 422 for the same key with another body', async () => {
      await post('alice', 'k-2', { name: 'First' }).expect(201);
      const res = await post('alice', 'k-2', { name: 'Second' }).expect(422);
      expect(fields(res)).to.deep.equal(['Idempotency-Key']);
      expect((await as('alice').get().expect(200)).body.data.meta.total).to.equal(1);
    });

    it('acts again once 24 hours have passed, and keeps keys of different users apart', async () => {
      await post('alice', 'k-3', { name: 'x' }).expect(201);
      await post('bob', 'k-3', { name: 'x' }).expect(201);
      expect((await as('bob').get().expect(200)).body.data.meta.total).to.equal(1);
      ctx.h.clock.advanceSeconds(86_400);
      const later = await post('alice', 'k-3', { name: 'x' }).expect(201);
      expect(later.headers['idempotent-replayed']).to.equal(undefined);
      expect((await as('alice').get().expect(200)).body.data.meta.total).to.equal(2);
    });

    it('does not remember a failed attempt: the corrected retry with the same key creates', async () => {
      await post('alice', 'k-4', { name: '' }).expect(422);
      await post('alice', 'k-4', { name: '' }).expect(422);
      const res = await post('alice', 'k-4', { name: 'fixed' }).expect(201);
      expect(res.body.data.name).to.equal('fixed');
    });

    it('refuses a key that is too long or not printable ASCII', async () => {
      expect(fields(await post('alice', 'k'.repeat(256), { name: 'x' }).expect(422))).to.deep.equal(['Idempotency-Key']);
      expect(fields(await post('alice', 'two words', { name: 'x' }).expect(422))).to.deep.equal(['Idempotency-Key']);
    });
  });

  describe('GET /records/:id', () => {
    it('returns the record with an ETag to its owner and an admin, 404 to another user', async () => {
      const { id } = await createAs('alice');
      const own = await as('alice').get(`${API}/${id}`).expect(200);
      expect(own.body.data.id).to.equal(id);
      expect(own.headers['etag']).to.equal('"1"');
      await as('admin').get(`${API}/${id}`).expect(200);
      const other = await as('bob').get(`${API}/${id}`).expect(404);
      expect(other.body.error).to.equal('NOT_FOUND');
    });

    it('answers 404 for unknown and malformed ids, never 500', async () => {
      await as('alice').get(`${API}/${uuidv7()}`).expect(404);
      await as('alice').get(`${API}/not-a-uuid`).expect(404);
      await as('alice').get(`${API}/${encodeURIComponent("1' OR '1'='1")}`).expect(404);
    });
  });

  describe('GET /records', () => {
    it('lists own records for a user, every record for an admin, and one owner with owner_id', async () => {
      await createAs('alice', { name: 'a1' });
      await createAs('alice', { name: 'a2' });
      await createAs('bob', { name: 'b1' });
      const names = async (who: Who, qs = '') => ((await as(who).get(`${API}?sort=name${qs}`).expect(200)).body.data.items as { name: string }[]).map((r) => r.name);
      expect(await names('alice')).to.deep.equal(['a1', 'a2']);
      expect(await names('bob')).to.deep.equal(['b1']);
      expect(await names('admin')).to.deep.equal(['a1', 'a2', 'b1']);
      expect(await names('admin', `&owner_id=${ctx.actor('bob').userId}`)).to.deep.equal(['b1']);
      expect(await names('alice', `&owner_id=${ctx.actor('bob').userId}`)).to.deep.equal([]);
    });

    it('pages with the contract meta and defaults (page 1, size 20, newest first)', async () => {
      for (const n of ['r1', 'r2', 'r3']) {
        await createAs('alice', { name: n });
        ctx.h.clock.advanceSeconds(1);
      }
      const all = await as('alice').get().expect(200);
      expect(all.body.data.items.map((r: { name: string }) => r.name)).to.deep.equal(['r3', 'r2', 'r1']);
      expect(all.body.data.meta).to.deep.equal({ total: 3, page: 1, size: 20, pages: 1, has_next: false, has_prev: false, next_cursor: null });
      const p2 = await as('alice').get(`${API}?page=2&size=2&sort=name`).expect(200);
      expect(p2.body.data.items.map((r: { name: string }) => r.name)).to.deep.equal(['r3']);
      expect(p2.body.data.meta).to.include({ total: 3, page: 2, size: 2, pages: 2, has_next: false, has_prev: true });
    });

    it('walks every record once with next_cursor', async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i += 1) created.push((await createAs('alice', { name: `n${i % 3}` })).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const qs: string = `sort=-name&size=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await as('alice').get(`${API}?${qs}`).expect(200);
        seen.push(...res.body.data.items.map((r: { id: string }) => r.id));
        cursor = res.body.data.meta.next_cursor;
        if (cursor) await createAs('alice', { name: 'n0' });
      } while (cursor);
      expect(new Set(seen).size).to.equal(seen.length);
      expect(seen).to.include.members(created);
    });

    it('ignores page with a cursor, and says rows came before it', async () => {
      for (let i = 0; i < 3; i += 1) await createAs('alice', { name: `c${i}` });
      const first = await as('alice').get(`${API}?sort=name&size=1`).expect(200);
      expect(first.body.data.meta).to.include({ page: 1, has_prev: false });
      const cursor = encodeURIComponent(first.body.data.meta.next_cursor as string);
      const next = await as('alice').get(`${API}?sort=name&size=1&page=3&cursor=${cursor}`).expect(200);
      expect(next.body.data.items.map((r: { name: string }) => r.name)).to.deep.equal(['c1']);
      expect(next.body.data.meta).to.include({ page: 1, has_prev: true, has_next: true });
    });

    it('filters by status and q', async () => {
      await createAs('alice', { name: 'Orders import' });
      await createAs('alice', { name: 'old ORDERS', status: 'archived' });
      await createAs('alice', { name: 'Customers' });
      const names = async (qs: string) => ((await as('alice').get(`${API}?sort=name&${qs}`).expect(200)).body.data.items as { name: string }[]).map((r) => r.name);
      expect(await names('q=orders')).to.deep.equal(['old ORDERS', 'Orders import']);
      expect(await names('status=archived')).to.deep.equal(['old ORDERS']);
      expect(await names('q=orders&status=active')).to.deep.equal(['Orders import']);
    });

    it('treats SQL metacharacters in q as text', async () => {
      await createAs('alice', { name: '100% done' });
      await createAs('alice', { name: 'a_b' });
      await createAs('alice', { name: 'plain' });
      for (const [q, expected] of [
        ['%', ['100% done']],
        ['_', ['a_b']],
        ["' OR 1=1 --", []],
        ['"; DROP TABLE records; --', []],
        ['\\', []],
      ] as const) {
        const res = await as('alice').get(`${API}?q=${encodeURIComponent(q)}`).expect(200);
        expect(res.body.data.items.map((r: { name: string }) => r.name), q).to.deep.equal(expected);
      }
    });

    for (const [label, qs, field] of [
      ['size over 100', 'size=101', 'size'],
      ['size 0', 'size=0', 'size'],
      ['page 0', 'page=0', 'page'],
      ['a sort key off the allow-list', 'sort=description', 'sort'],
      ['SQL in sort', `sort=${encodeURIComponent('name; DROP TABLE records')}`, 'sort'],
      ['SQL in sort direction', `sort=${encodeURIComponent('name desc, (select 1)')}`, 'sort'],
      ['an unknown status', 'status=gone', 'status'],
      ['a malformed cursor', 'cursor=not-a-cursor', 'cursor'],
      ['a malformed owner_id', 'owner_id=me', 'owner_id'],
      ['a repeated parameter', 'status=active&status=archived', 'status'],
    ] as const) {
      it(`answers 422 for ${label}`, async () => {
        const res = await as('alice').get(`${API}?${qs}`).expect(422);
        expect(res.body.error).to.equal('VALIDATION_ERROR');
        expect(fields(res)).to.deep.equal([field]);
      });
    }

    it('refuses a cursor made for another sort with 422', async () => {
      await createAs('alice', { name: 'a' });
      await createAs('alice', { name: 'b' });
      const cursor = (await as('alice').get(`${API}?sort=name&size=1`).expect(200)).body.data.meta.next_cursor as string;
      const res = await as('alice').get(`${API}?sort=-created_at&size=1&cursor=${encodeURIComponent(cursor)}`).expect(422);
      expect(fields(res)).to.deep.equal(['cursor']);
    });
  });

  for (const method of ['patch', 'put'] as const) {
    describe(`${method.toUpperCase()} /records/:id`, () => {
      it('changes only the given fields and returns the new version and ETag', async () => {
        const { id } = await createAs('alice', { description: 'keep' });
        const res = await as('alice')[method](id, { name: 'Renamed' }).expect(200);
        expect(res.body.data).to.deep.include({ name: 'Renamed', description: 'keep', version: 2 });
        expect(res.body.data.config).to.deep.equal({ schedule: '0 2 * * *' });
        expect(res.headers['etag']).to.equal('"2"');
      });

      it('honours If-Match: the current ETag passes, a stale one is 412 and changes nothing', async () => {
        const { id } = await createAs('alice');
        const etag = (await as('alice').get(`${API}/${id}`)).headers['etag'] as string;
        await as('alice')[method](id, { name: 'first' }).set('If-Match', etag).expect(200);
        const stale = await as('alice')[method](id, { name: 'second' }).set('If-Match', etag).expect(412);
        expect(stale.body.error).to.equal('PRECONDITION_FAILED');
        expect((await as('alice').get(`${API}/${id}`)).body.data.name).to.equal('first');
        await as('alice')[method](id, { name: 'third' }).set('If-Match', 'garbage').expect(412);
        // If-Match compares strongly: a weak tag never matches, even one naming the current version.
        await as('alice')[method](id, { name: 'weak' }).set('If-Match', 'W/"2"').expect(412);
        // Any listed tag naming the current version matches.
        await as('alice')[method](id, { name: 'listed' }).set('If-Match', '"1", "2"').expect(200);
        await as('alice')[method](id, { name: 'fourth' }).set('If-Match', '*').expect(200);
      });

      it('answers 404 for another user\'s record, lets an admin change it', async () => {
        const { id } = await createAs('alice');
        await as('bob')[method](id, { name: 'stolen' }).expect(404);
        const res = await as('admin')[method](id, { status: 'archived' }).expect(200);
        expect(res.body.data).to.deep.include({ owner_id: ctx.actor('alice').userId, updated_by: ctx.actor('admin').userId, status: 'archived' });
      });

      it('refuses unknown fields (owner_id, id) and invalid values with 422', async () => {
        const { id } = await createAs('alice');
        expect(fields(await as('alice')[method](id, { owner_id: ctx.actor('bob').userId }).expect(422))).to.deep.equal(['owner_id']);
        expect(fields(await as('alice')[method](id, { id: uuidv7(), name: 'x' }).expect(422))).to.deep.equal(['id']);
        expect(fields(await as('alice')[method](id, { config: { schedule: '99 * * * *' } }).expect(422))).to.deep.equal(['config.schedule']);
        expect((await as('alice').get(`${API}/${id}`)).body.data.owner_id).to.equal(ctx.actor('alice').userId);
      });
    });
  }

  describe('DELETE /records/:id', () => {
    it('soft-deletes with 204; the record is gone from GET and the list', async () => {
      const { id } = await createAs('alice');
      const res = await as('alice').delete(id).expect(204);
      expect(res.text).to.equal('');
      await as('alice').get(`${API}/${id}`).expect(404);
      expect((await as('alice').get().expect(200)).body.data.meta.total).to.equal(0);
      await as('alice').delete(id).expect(404);
    });

    it('honours If-Match when given', async () => {
      const { id } = await createAs('alice');
      await as('alice').patch(id, { name: 'changed' }).expect(200);
      await as('alice').delete(id).set('If-Match', '"1"').expect(412);
      await as('alice').get(`${API}/${id}`).expect(200);
      await as('alice').delete(id).set('If-Match', '"2"').expect(204);
    });

    it('answers 404 to another user and lets an admin delete', async () => {
      const { id } = await createAs('alice');
      await as('bob').delete(id).expect(404);
      await as('alice').get(`${API}/${id}`).expect(200);
      await as('admin').delete(id).expect(204);
    });
  });

  it('publishes every records route in the OpenAPI document', async () => {
    const doc = (await request(ctx.app).get('/api/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths['/api/v1/records'])).to.have.members(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/records/{id}'])).to.have.members(['get', 'patch', 'put', 'delete']);
  });
});
