import { expect } from 'chai';
import request from 'supertest';
import { identityClient, type IdentityClient } from './identity-client.js';

/**
 * Every operation of the document, driven with its own example and with the usual bad inputs: no
 * token, a non-admin's token, malformed and NUL path parameters, unparseable JSON, a wrong content
 * type, an unknown field, a bad query value, a bad Idempotency-Key. The conformance hook
 * (tests/support/conformance-hook.ts) holds each answer to the document, so a status, body or
 * header it does not describe fails here, whatever the route.
 */

type Op = {
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  security?: unknown[];
};
type Doc = { paths: Record<string, Record<string, Op>> };

const UNKNOWN_ID = '0192f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f';

describe('every operation against the document, with good and bad inputs', function () {
  this.timeout(120_000);
  let c: IdentityClient;
  let doc: Doc;
  let user: string;

  before(async () => {
    c = await identityClient();
    doc = c.app.locals['openapi'] as Doc;
  });
  // Logout, password changes and deletes end sessions: each operation gets callers of its own.
  beforeEach(async () => {
    user = (await c.aUser()).tokens.access_token;
  });
  after(async () => c?.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));

  const call = (method: string, path: string) => (request(c.app) as unknown as Record<string, (url: string) => request.Test>)[method]!(path);

  const concrete = (path: string, id: string) => path.replace(/\{\w+\}/g, id);

  // The stream stays open on success: only its refusals are exercised here (tests/http/notifications.test.ts covers the rest).
  const streaming = (path: string) => path.endsWith('/notifications/stream');

  it('answers each operation, with and without a token, as documented', async () => {
    let calls = 0;
    for (const { method, path, op } of operations()) {
      if (path === '/metrics' || streaming(path)) continue;
      const url = concrete(path, UNKNOWN_ID);
      const example = op.requestBody?.content['application/json']?.example;
      const tokens = [undefined, (await c.aUser()).tokens.access_token, (await c.anAdmin()).tokens.access_token, 'not-a-token'];
      for (const token of tokens) {
        let req = call(method, url);
        if (token) req = req.set('Authorization', `Bearer ${token}`);
        if (example !== undefined) req = req.send(example as object);
        await req;
        calls += 1;
      }
    }
    expect(calls).to.be.greaterThan(100);
  });

  it('answers bad path parameters, bodies, query values and headers as documented', async () => {
    for (const { method, path, op } of operations()) {
      if (path === '/metrics') continue;
      const auth = op.security ? { Authorization: `Bearer ${(await c.aUser()).tokens.access_token}` } : {};
      if (path.includes('{')) {
        for (const id of ['%ZZ', 'a%00b', 'a%ED%A0%80b', 'not-a-uuid']) await call(method, concrete(path, id)).set(auth);
      }
      const url = concrete(path, UNKNOWN_ID);
      if (method !== 'get') {
        await call(method, url).set(auth).set('Content-Type', 'application/json').send('{"broken":');
        await call(method, url).set(auth).set('Content-Type', 'text/plain').send('hello');
        await call(method, url).set(auth).send({ no_such_field: 1 });
        if (op.parameters?.some((p) => p.name === 'Idempotency-Key')) await call(method, url).set(auth).set('Idempotency-Key', 'has spaces').send({});
      }
      for (const p of (op.parameters ?? []).filter((x) => x.in === 'query')) {
        if (streaming(path)) continue;
        await call(method, `${url}?${p.name}=%00`).set(auth);
        await call(method, `${url}?${p.name}=-1x`).set(auth);
        // A well-formed value naming someone else (an owner_id filter of a non-admin).
        if (p.schema['format'] === 'uuid') await call(method, `${url}?${p.name}=${UNKNOWN_ID}`).set(auth);
      }
      if (streaming(path)) await call(method, url).set(auth).set('Last-Event-ID', 'not-an-id');
    }
  });

  it('a HEAD of a GET route answers as its GET does', async () => {
    await request(c.app).head('/health').expect(200);
    await request(c.app).head(`/api/v1/records/${UNKNOWN_ID}`).set('Authorization', `Bearer ${user}`).expect(404);
  });
});
