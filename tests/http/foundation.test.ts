import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import request from 'supertest';
import type { Actor } from '../../core/shared/entities/actor.js';
import type { Logger } from '../../core/shared/ports/logger.js';
import { DependencyUnavailableError, unauthenticated, invalidField } from '../../core/shared/entities/errors.js';
import type { AppDeps } from '../../adapters/http/app.js';
import { routesApp } from '../support/routes-app.js';
import { strictObject, boundedString, intFromString, Email } from '../../adapters/http/codecs.js';
import { createMetrics } from '../../adapters/http/metrics.js';
import { created, noContent, ok, route } from '../../adapters/http/route.js';

const Item = strictObject('Item', { name: boundedString(1, 10), owner: strictObject('Owner', { email: Email }, {}) }, { tags: t.array(t.string) });
const actor: Actor = { userId: 'u1', sessionId: 's1', role: 'taker', isAdmin: false };

const routes = [
  route({
    method: 'post', path: '/items', summary: 'create', tags: ['test'], auth: 'none', body: Item,
    responses: { 201: { description: 'created' } },
    handler: async ({ body }) => E.right(created(body)),
  }),
  route({
    method: 'get', path: '/items', summary: 'list', tags: ['test'], auth: 'none',
    query: strictObject('Q', {}, { size: intFromString(1, 100) }),
    responses: { 200: { description: 'ok' } },
    handler: async ({ query }) => E.right(ok(query)),
  }),
  route({
    method: 'get', path: '/items/:id', summary: 'one', tags: ['test'], auth: 'none', params: t.type({ id: t.string }),
    responses: { 200: { description: 'ok' } },
    handler: async ({ params }) => E.right(ok(params)),
  }),
  route({
    method: 'get', path: '/private', summary: 'private', tags: ['test'], auth: 'bearer',
    responses: { 200: { description: 'ok' } },
    handler: async ({ actor: a }) => E.right(ok({ user: a.userId })),
  }),
  route({
    method: 'post', path: '/private-action', summary: 'act', tags: ['test'], auth: 'bearer',
    responses: { 204: { description: 'done' } },
    handler: async () => E.right(noContent()),
  }),
  route({
    method: 'get', path: '/admin', summary: 'admin', tags: ['test'], auth: 'admin',
    responses: { 200: { description: 'ok' } },
    handler: async () => E.right(ok({})),
  }),
  route({
    method: 'get', path: '/links/:token', summary: 'capability link', tags: ['test'], auth: 'none',
    responses: { 200: { description: 'ok' } },
    handler: async () => E.right(ok({})),
  }),
  route({
    method: 'get', path: '/boom', summary: 'bug', tags: ['test'], auth: 'none',
    responses: { 200: { description: 'ok' } },
    handler: async () => {
      throw new Error('SELECT * FROM secret_table failed in sequelize');
    },
  }),
  route({
    method: 'get', path: '/outage', summary: 'outage', tags: ['test'], auth: 'none',
    responses: { 200: { description: 'ok' } },
    handler: async () => {
      throw new DependencyUnavailableError('database');
    },
  }),
  route({
    method: 'get', path: '/domain-error', summary: 'domain error', tags: ['test'], auth: 'none',
    responses: { 200: { description: 'ok' }, 422: { description: 'always' } },
    handler: async () => E.left(invalidField('name', 'is taken')),
  }),
];

const appWith = (overrides: Partial<AppDeps> = {}) =>
  routesApp(routes, {
    version: '0.0.0-test',
    authenticate: async (token) => (token === 'good' ? E.right(actor) : E.left(unauthenticated('Invalid token'))),
    corsOrigins: ['https://app.example.com'],
    jsonLimit: 1024,
    readiness: [{ name: 'database', check: async () => undefined }],
    metrics: { metrics: createMetrics() },
    docs: true,
    uptimeSeconds: () => 12,
    ...overrides,
  });

describe('HTTP foundation (Express adapter)', () => {
  const app = appWith();

  describe('request id and headers', () => {
    it('echoes a well-formed client X-Request-ID', async () => {
      const res = await request(app).get('/health').set('X-Request-ID', 'abc.DEF_123-x');
      expect(res.headers['x-request-id']).to.equal('abc.DEF_123-x');
    });

    it('replaces an ill-formed or over-long X-Request-ID with a generated one', async () => {
      for (const bad of ['has space', 'x'.repeat(129), 'semi;colon']) {
        const res = await request(app).get('/health').set('X-Request-ID', bad);
        expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
      }
    });

    it('puts the request id into error envelopes', async () => {
      const res = await request(app).get('/nope').set('X-Request-ID', 'trace-1');
      expect(res.body.request_id).to.equal('trace-1');
    });

    it('sets X-Process-Time, nosniff, and no X-Powered-By', async () => {
      const res = await request(app).get('/health');
      expect(res.headers['x-process-time']).to.match(/^\d+\.\d+$/);
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers).not.to.have.property('x-powered-by');
    });

    it('lets an allowed origin read the headers a client needs: Location, Content-Range, rate limits, replays', async () => {
      const res = await request(app).get('/health').set('Origin', 'https://app.example.com');
      const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(',');
      for (const name of ['x-request-id', 'etag', 'location', 'content-range', 'retry-after', 'ratelimit-remaining', 'idempotent-replayed']) {
        expect(exposed).to.include(name);
      }
    });

    it('shows the stricter auth limit in the RateLimit headers of /auth routes', async () => {
      const limited = appWith({ rateLimit: { perMinute: 600, authPerMinute: 5 } });
      const auth = await request(limited).get('/api/v1/auth/anything');
      expect(auth.headers['ratelimit-limit']).to.equal('5');
      const other = await request(limited).get('/api/v1/items');
      expect(other.headers['ratelimit-limit']).to.equal('600');
    });

    it('logs each request by its route template, so secrets in the path never reach the log', async () => {
      const lines: string[] = [];
      const recording: Logger = { debug() {}, info: (m) => void lines.push(m), warn() {}, error() {}, child: () => recording };
      await request(appWith({ logger: recording })).get('/api/v1/links/s3cr3t-capability').expect(200);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).to.deep.equal(['GET /api/v1/links/:token 200']);
    });

    it('allows CORS only for configured origins', async () => {
      const allowed = await request(app).get('/health').set('Origin', 'https://app.example.com');
      expect(allowed.headers['access-control-allow-origin']).to.equal('https://app.example.com');
      const other = await request(app).get('/health').set('Origin', 'https://evil.example.com');
      expect(other.headers).not.to.have.property('access-control-allow-origin');
      expect(other.headers['vary']).to.match(/\bOrigin\b/);
    });
  });

  describe('error envelope', () => {
    it('answers an unknown route with 404 NOT_FOUND', async () => {
      const res = await request(app).get('/api/v1/does-not-exist');
      expect(res.status).to.equal(404);
      expect(res.body).to.include({ code: 404, error: 'NOT_FOUND' });
    });

    it('answers malformed JSON with 400 BAD_REQUEST', async () => {
      const res = await request(app).post('/api/v1/items').set('Content-Type', 'application/json').send('{"name": ');
      expect(res.status).to.equal(400);
      expect(res.body).to.include({ code: 400, error: 'BAD_REQUEST' });
    });

    it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await request(app).post('/api/v1/items').send({ name: 'x', owner: { email: 'a@b.co' }, tags: ['y'.repeat(2000)] });
      expect(res.status).to.equal(413);
      expect(res.body).to.include({ code: 413, error: 'PAYLOAD_TOO_LARGE' });
    });

    it('answers a non-JSON body on a JSON route with 415', async () => {
      const res = await request(app).post('/api/v1/items').set('Content-Type', 'text/plain').send('name=x');
      expect(res.status).to.equal(415);
    });

    it('answers field errors with 422 and dotted field paths', async () => {
      const res = await request(app).post('/api/v1/items').send({ name: '', owner: { email: 'not-an-email' }, tags: ['ok', 3] });
      expect(res.status).to.equal(422);
      expect(res.body.error).to.equal('VALIDATION_ERROR');
      const fields = (res.body.detail as { field: string }[]).map((d) => d.field);
      expect(fields).to.have.members(['name', 'owner.email', 'tags.1']);
    });

    it('names missing required fields', async () => {
      const res = await request(app).post('/api/v1/items').send({});
      expect(res.status).to.equal(422);
      expect(res.body.detail).to.deep.include({ field: 'name', message: 'is required' });
    });

    it('rejects unknown body fields instead of ignoring them', async () => {
      const res = await request(app).post('/api/v1/items').send({ name: 'x', owner: { email: 'a@b.co' }, is_admin: true });
      expect(res.status).to.equal(422);
      expect(res.body.detail).to.deep.equal([{ field: 'is_admin', message: 'unknown field' }]);
    });

    it('decodes query strings and refuses out-of-range values with 422', async () => {
      expect((await request(app).get('/api/v1/items?size=5')).body.data).to.deep.equal({ size: 5 });
      const res = await request(app).get('/api/v1/items?size=101');
      expect(res.status).to.equal(422);
      expect(res.body.detail[0].field).to.equal('size');
    });

    it('maps a domain error returned by a handler through the error table', async () => {
      const res = await request(app).get('/api/v1/domain-error');
      expect(res.status).to.equal(422);
      expect(res.body.detail).to.deep.equal([{ field: 'name', message: 'is taken' }]);
    });

    it('answers a bug with a generic 500: no stack, no SQL, no library names', async () => {
      const res = await request(app).get('/api/v1/boom');
      expect(res.status).to.equal(500);
      expect(res.body).to.include({ code: 500, error: 'INTERNAL_ERROR' });
      expect(JSON.stringify(res.body)).not.to.match(/SELECT|sequelize|secret_table|at /);
    });

    it('answers an outage with 503 SERVICE_UNAVAILABLE', async () => {
      const res = await request(app).get('/api/v1/outage');
      expect(res.status).to.equal(503);
      expect(res.body.error).to.equal('SERVICE_UNAVAILABLE');
    });
  });

  describe('authentication', () => {
    it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
      const res = await request(app).get('/api/v1/items/%ZZ');
      expect(res.status).to.equal(400);
      expect(res.body).to.include({ code: 400, error: 'BAD_REQUEST' });
      expect(res.body.message).not.to.match(/decode|URIError/);
    });

    it('answers 401 with WWW-Authenticate when the bearer token is missing or invalid', async () => {
      const missing = await request(app).get('/api/v1/private');
      expect(missing.status).to.equal(401);
      expect(missing.headers['www-authenticate']).to.equal('Bearer');
      const bad = await request(app).get('/api/v1/private').set('Authorization', 'Bearer nope');
      expect(bad.status).to.equal(401);
      expect(bad.body.error).to.equal('UNAUTHENTICATED');
    });

    it('authenticates before reading the body: an anonymous caller gets 401, not a parse error', async () => {
      const res = await request(app).post('/api/v1/private-action').set('Content-Type', 'application/json').send('{"broken": ');
      expect(res.status).to.equal(401);
      const big = await request(app).post('/api/v1/private-action').send({ pad: 'x'.repeat(5000) });
      expect(big.status).to.equal(401);
    });

    it('refuses fields sent to a route that takes no body, and accepts an empty one', async () => {
      const withFields = await request(app).post('/api/v1/private-action').set('Authorization', 'Bearer good').send({ everything: true });
      expect(withFields.status).to.equal(422);
      expect(withFields.body.detail).to.deep.equal([{ field: 'everything', message: 'unknown field' }]);
      expect((await request(app).post('/api/v1/private-action').set('Authorization', 'Bearer good')).status).to.equal(204);
      expect((await request(app).post('/api/v1/private-action').set('Authorization', 'Bearer good').send({})).status).to.equal(204);
    });

    it('passes the actor to the handler', async () => {
      const res = await request(app).get('/api/v1/private').set('Authorization', 'Bearer good');
      expect(res.body).to.deep.equal({ code: 200, message: 'success', data: { user: 'u1' } });
    });

    it('answers 403 to a non-admin on an admin route', async () => {
      const res = await request(app).get('/api/v1/admin').set('Authorization', 'Bearer good');
      expect(res.status).to.equal(403);
      expect(res.body.error).to.equal('FORBIDDEN');
    });
  });

  describe('service endpoints', () => {
    it('serves liveness in the envelope', async () => {
      const res = await request(app).get('/health');
      expect(res.status).to.equal(200);
      expect(res.body.data).to.deep.equal({ status: 'ok', version: '0.0.0-test', uptime_s: 12 });
    });

    it('reports readiness per dependency with latency', async () => {
      const res = await request(app).get('/health/ready');
      expect(res.status).to.equal(200);
      expect(res.body.data.checks[0]).to.include({ name: 'database', status: 'up' });
      expect(res.body.data.checks[0].latency_ms).to.be.a('number');
    });

    it('answers 503 naming the dependency that is down, and one that hangs', async () => {
      const down = appWith({
        readinessTimeoutMs: 50,
        readiness: [
          { name: 'database', check: async () => undefined },
          { name: 'redis', check: async () => Promise.reject(new Error('ECONNREFUSED')) },
          { name: 'object storage', check: () => new Promise(() => undefined) },
        ],
      });
      const res = await request(down).get('/health/ready');
      expect(res.status).to.equal(503);
      expect(res.body.error).to.equal('SERVICE_UNAVAILABLE');
      expect(res.body.message).to.contain('redis').and.contain('object storage').and.not.contain('database');
      const statuses = Object.fromEntries((res.body.detail.checks as { name: string; status: string }[]).map((c) => [c.name, c.status]));
      expect(statuses).to.deep.equal({ database: 'up', redis: 'down', 'object storage': 'down' });
    });

    it('serves Prometheus metrics, behind a token when one is configured', async () => {
      await request(app).get('/health');
      const res = await request(app).get('/metrics');
      expect(res.status).to.equal(200);
      expect(res.text).to.contain('http_request_duration_seconds');
      const guarded = appWith({ metrics: { metrics: createMetrics(), token: 'metrics-token-123456' } });
      expect((await request(guarded).get('/metrics')).status).to.equal(401);
      expect((await request(guarded).get('/metrics').set('Authorization', 'Bearer metrics-token-123456')).status).to.equal(200);
    });

    it('serves Swagger UI and ReDoc from local assets, with no CDN', async () => {
      for (const page of ['/api/docs', '/api/redoc']) {
        const res = await request(app).get(page);
        expect(res.status).to.equal(200);
        expect(res.text).not.to.match(/https?:\/\//);
      }
      // Swagger UI fetches a badge from validator.swagger.io unless told not to.
      expect((await request(app).get('/api/docs/init.js')).text).to.contain('validatorUrl: null');
      // Over plain HTTP an upgrade-insecure-requests CSP sends the page's own assets to https and the docs break.
      expect((await request(app).get('/api/docs')).headers['content-security-policy']).not.to.contain('upgrade-insecure-requests');
      expect((await request(app).get('/api/docs/assets/swagger-ui-bundle.js')).status).to.equal(200);
      expect((await request(app).get('/api/redoc/redoc.standalone.js')).status).to.equal(200);
    });
  });
});
