import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import request from 'supertest';
import { IdempotencyKey } from '../../adapters/http/idempotency.js';
import { exampleOf, schemaOf } from '../../adapters/http/openapi.js';
import { EmailField, NewPasswordField, UsernameField } from '../../adapters/http/routes/user-view.js';
import { buildTestApp, type TestApp } from '../support/app.js';

/**
 * The rules in the OpenAPI document are the codecs' own: for sample inputs, what the schema
 * allows is what the codec accepts (so a client validating with the document never sends what the
 * server refuses), and the examples the document shows are valid, and accepted by the server.
 */

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

const agree = (codec: t.Mixed, samples: readonly string[], exact: boolean) => {
  const validate = ajv.compile(schemaOf(codec));
  for (const sample of samples) {
    const byCodec = E.isRight(codec.decode(sample));
    const bySchema = validate(sample);
    // The document may be stricter (an email it calls invalid the server would trim first), never looser.
    if (bySchema) expect(byCodec, `${codec.name}: the document allows ${JSON.stringify(sample)}, the server refuses it`).to.equal(true);
    if (exact) expect(bySchema, `${codec.name}: the server accepts ${JSON.stringify(sample)}, the document refuses it`).to.equal(byCodec);
  }
};

describe('OpenAPI rules come from the codecs that validate', () => {
  it('username: 3 to 32 of letters, digits, ".", "_", "-", starting with a letter or digit', () => {
    agree(UsernameField, ['ab', 'abc', 'a'.repeat(32), 'a'.repeat(33), '_abc', '.abc', 'ab c', 'Ab.c-d_e', 'ü12', 'abc\n', '9lives'], true);
  });

  it('new password: 8 to 128 characters, counted as code points', () => {
    agree(NewPasswordField, ['short', '12345678', 'x'.repeat(128), 'x'.repeat(129), '😀'.repeat(8), '😀'.repeat(7), '😀'.repeat(128), '😀'.repeat(129)], true);
  });

  it('email: the document is never looser than the server', () => {
    agree(EmailField, ['ada@example.com', 'a@b', 'a b@c.de', 'ada@@example.com', `${'x'.repeat(250)}@e.co`, 'ADA@Example.COM', ' ada@example.com '], false);
  });

  it('Idempotency-Key: 1 to 255 printable ASCII characters', () => {
    agree(IdempotencyKey, ['', 'k', 'x'.repeat(255), 'x'.repeat(256), 'a b', 'é', '0192f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f'], true);
  });

  it('login body: exactly one of email or username (oneOf), as the server insists', () => {
    return buildTestApp().then(async (ctx) => {
      try {
        const doc = ctx.app.locals['openapi'] as { paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: object }> } }>> };
        const validate = ajv.compile(doc.paths['/api/v1/auth/login']!['post']!.requestBody.content['application/json']!.schema);
        const bodies = [{ password: 'pw' }, { password: 'pw', email: 'ada@example.com' }, { password: 'pw', username: 'ada' }, { password: 'pw', email: 'ada@example.com', username: 'ada' }];
        for (const body of bodies) {
          const res = await request(ctx.app).post('/api/v1/auth/login').send(body);
          expect(validate(body), JSON.stringify(body)).to.equal(res.status !== 422);
        }
      } finally {
        await ctx.close();
      }
    });
  });

  it('the generic example builder keeps the first branch of a oneOf', () => {
    expect(exampleOf({ type: 'object', properties: { a: { examples: [1] }, b: { examples: [2] } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] })).to.deep.equal({ a: 1 });
  });
});

describe('OpenAPI examples', () => {
  let ctx: TestApp | undefined;
  type Media = { schema?: object; example?: unknown };
  type Op = { parameters?: { name: string; schema: object; example?: unknown }[]; requestBody?: { content: Record<string, Media> }; responses: Record<string, { content?: Record<string, Media> }> };
  let doc: { paths: Record<string, Record<string, Op>>; components: object };

  before(async () => {
    ctx = await buildTestApp();
    doc = ctx.app.locals['openapi'] as typeof doc;
  });
  after(async () => ctx?.close());

  it('every example is valid against its own schema, and every JSON body and response has one', () => {
    // The whole document under one id, so each schema is reached by its pointer with its $refs resolved.
    if (!ajv.getSchema('https://portside.invalid/examples.json')) ajv.addSchema({ ...structuredClone(doc), $id: 'https://portside.invalid/examples.json' });
    const invalid: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const media: [string, Media][] = [
          ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`${method} ${path} body ${type}`, m] as [string, Media]),
          ...Object.entries(op.responses).flatMap(([status, r]) => Object.entries(r.content ?? {}).map(([type, m]) => [`${method} ${path} ${status} ${type}`, m] as [string, Media])),
        ];
        for (const [where, m] of media) {
          if (!where.endsWith('application/json')) continue;
          expect(m.example, `${where} has an example`).not.to.equal(undefined);
          const validate = ajv.getSchema(`https://portside.invalid/examples.json#/paths/${encodeURIComponent(path.replace(/\//g, '~1'))}/${method}/${where.includes(' body ') ? 'requestBody' : `responses/${where.split(' ')[2]}`}/content/application~1json/schema`)!;
          checked += 1;
          if (!validate(m.example)) invalid.push(`${where}: ${ajv.errorsText(validate.errors)}`);
        }
        for (const p of op.parameters ?? []) {
          if (p.example === undefined) continue;
          checked += 1;
          if (!ajv.validate(p.schema, p.example)) invalid.push(`${method} ${path} parameter ${p.name}: ${ajv.errorsText(ajv.errors)}`);
        }
      }
    }
    expect(checked).to.be.greaterThan(100);
    expect(invalid).to.deep.equal([]);
  });

  it('the examples work as requests: register, log in, create a record', async () => {
    const example = (path: string) => doc.paths[path]!['post']!.requestBody!.content['application/json']!.example;
    await request(ctx!.app).post('/api/v1/auth/register').send(example('/api/v1/auth/register') as object).expect(201);
    const login = await request(ctx!.app).post('/api/v1/auth/login').send(example('/api/v1/auth/login') as object).expect(200);
    const auth = { Authorization: `Bearer ${login.body.data.access_token as string}` };
    await request(ctx!.app).post('/api/v1/records').set(auth).send(example('/api/v1/records') as object).expect(201);
  });
});
