import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import request from 'supertest';
import { Uuid } from '../../adapters/http/codecs.js';
import { ok, route } from '../../adapters/http/route.js';
import { conformanceOf, OpenApiConformance } from '../support/openapi-conformance.js';
import { routesApp } from '../support/routes-app.js';
import { buildTestApp } from '../support/app.js';

/**
 * The conformance check (tests/support/openapi-conformance.ts, installed on supertest by
 * tests/support/conformance-hook.ts) must fail a response the document does not describe: each
 * way a response can break the document is tried here, and one honest response passes.
 */

const Thing = t.type({ id: Uuid, name: t.string });
const ID = '0192f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f';

const app = routesApp(
  [
    route({
      method: 'get', path: '/honest', summary: 'keeps its word', tags: ['test'], auth: 'none',
      responses: { 200: { description: 'a thing', data: Thing, headers: { ETag: { description: 'version', required: true } } } },
      handler: async () => E.right(ok({ id: ID, name: 'a' }, { ETag: '"1"' })),
    }),
    route({
      method: 'get', path: '/wrong-body', summary: 'says a UUID, sends a number', tags: ['test'], auth: 'none',
      responses: { 200: { description: 'a thing', data: Thing } },
      handler: async () => E.right(ok({ id: 42, name: 'a' })),
    }),
    route({
      method: 'get', path: '/wrong-status', summary: 'answers a status it does not list', tags: ['test'], auth: 'none',
      responses: { 200: { description: 'a thing', data: Thing } },
      handler: async () => E.right({ status: 202, data: { id: ID, name: 'a' } }),
    }),
    route({
      method: 'get', path: '/missing-header', summary: 'declares a Location it does not send', tags: ['test'], auth: 'none',
      responses: { 200: { description: 'a thing', data: Thing, headers: { Location: { description: 'where', required: true } } } },
      handler: async () => E.right(ok({ id: ID, name: 'a' })),
    }),
    route({
      method: 'get', path: '/wrong-type', summary: 'declares a calendar, sends JSON', tags: ['test'], auth: 'none',
      responses: { 200: { description: 'a calendar', contentType: 'text/calendar' } },
      handler: async () => E.right(ok({ id: ID, name: 'a' })),
    }),
  ],
  { authenticate: async () => E.left({ _tag: 'Unauthenticated', message: 'no' }) },
);

describe('OpenAPI conformance check', () => {
  it('passes a response that keeps to the document', async () => {
    await request(app).get('/api/v1/honest').expect(200);
  });

  for (const [path, reason] of [
    ['/api/v1/wrong-body', /body does not match the schema: \/data\/id must be string/],
    ['/api/v1/wrong-status', /status 202 is not listed/],
    ['/api/v1/missing-header', /required header Location is missing/],
    ['/api/v1/wrong-type', /media type application\/json is not declared \(declared: text\/calendar\)/],
  ] as const) {
    it(`fails the request that got a response breaking it: ${path}`, async () => {
      const error = await request(app)
        .get(path)
        .then(() => null, (e: unknown) => e as Error);
      expect(error?.message).to.match(/breaks the OpenAPI document/);
      expect(error?.message).to.match(reason);
    });
  }

  it('checks formats (uuid, email, date-time) and the 422 envelope of the real document', async () => {
    const composed = await buildTestApp();
    try {
      const checker = conformanceOf(composed.app.locals['openapi'] as object);
      const headers = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r1', 'x-process-time': '0.001000' };
      const user = { id: ID, email: 'ada@example.com', username: 'ada', full_name: null, role: 'taker', is_active: true, is_superuser: false, is_verified: false, created_at: '2026-01-31T12:00:00.000Z', updated_at: '2026-01-31T12:00:00.000Z' };
      const me = (data: unknown) => checker.check({ method: 'GET', path: '/api/v1/auth/me', status: 200, headers, body: { code: 200, message: 'success', data } });
      expect(me(user).problems).to.deep.equal([]);
      expect(me({ ...user, id: 'not-a-uuid' }).problems.join()).to.match(/must match format "uuid"/);
      expect(me({ ...user, created_at: 'yesterday' }).problems.join()).to.match(/must match format "date-time"/);
      const invalid = (body: unknown) => checker.check({ method: 'POST', path: '/api/v1/auth/register', status: 422, headers, body }).problems;
      const envelope = { code: 422, error: 'VALIDATION_ERROR', message: 'Validation failed', request_id: 'r1' };
      expect(invalid({ ...envelope, detail: [{ field: 'email', message: 'must be a valid email address' }] })).to.deep.equal([]);
      expect(invalid(envelope).join(), 'a 422 without its field list').to.match(/must have required property 'detail'/);
      expect(invalid({ ...envelope, error: 'CONFLICT', detail: [] }).join(), 'another status\'s machine code').to.match(/must be equal to constant/);
      // A route without that status, and a path the document does not have (passed: not an operation).
      expect(checker.check({ method: 'GET', path: '/api/v1/auth/me', status: 409, headers, body: envelope }).problems.join()).to.match(/status 409 is not listed/);
      expect(checker.check({ method: 'GET', path: '/api/v1/nowhere', status: 404, headers, body: envelope }).operation).to.equal(null);
      // The typed-client scenario closes the objects: a field the document does not name fails there.
      const closed = new OpenApiConformance(composed.app.locals['openapi'] as Record<string, unknown>, { closedObjects: true });
      const meClosed = (data: unknown) => closed.check({ method: 'GET', path: '/api/v1/auth/me', status: 200, headers, body: { code: 200, message: 'success', data } });
      expect(meClosed(user).problems).to.deep.equal([]);
      expect(me({ ...user, password_hash: 'x' }).problems, 'open by default').to.deep.equal([]);
      expect(meClosed({ ...user, password_hash: 'x' }).problems.join()).to.match(/must NOT have additional properties/);
    } finally {
      await composed.close();
    }
  });
});
