import { createRequire } from 'node:module';
import { Validator } from '@seriousme/openapi-schema-validator';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import type { AnyRoute } from '../../adapters/http/route.js';
import { TOKENS } from '../../composition/tokens.js';
import { buildTestApp, type TestApp } from '../support/app.js';

/**
 * The OpenAPI document of the real composed app, checked by a third-party validator, plus what a
 * structural validator cannot see: that it documents every route the app mounts and nothing else.
 */

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; parameters?: { name: string; in: string }[] }>>;
  components: { securitySchemes: Record<string, Record<string, unknown>>; schemas: Record<string, unknown> };
};

// Express pages that serve the documentation itself, not API operations.
const DOC_PAGES = new Set(['GET /api/openapi.json', 'GET /api/docs', 'GET /api/docs/init.js', 'GET /api/redoc', 'GET /api/redoc/redoc.standalone.js']);

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every `METHOD /path` Express will answer, from its router stack (OpenAPI path syntax). */
const mountedRoutes = (app: Express): string[] => {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          found.push(`${method.toUpperCase()} ${(prefix + layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : (layer.rawPath ?? '')));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
};

const documentedRoutes = (doc: Doc): string[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));

/** Every Schema Object in the document (the OpenAPI 3.1 meta-schema does not look inside them). */
const schemaObjects = (doc: Doc): { where: string; schema: unknown }[] => {
  const out: { where: string; schema: unknown }[] = [];
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}/${i}`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'schema') out.push({ where: `${where}/schema`, schema: v });
        else walk(v, `${where}/${k}`);
      }
    }
  };
  walk(doc.paths, '#/paths');
  for (const [name, schema] of Object.entries(doc.components.schemas)) out.push({ where: `#/components/schemas/${name}`, schema });
  return out;
};

// The validator's own Ajv (8.x): resolved from its package so hoisting cannot swap in another major.
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('@seriousme/openapi-schema-validator'));
const { Ajv2020 } = requireFromValidator('ajv/dist/2020') as typeof Ajv2020Module;

describe('OpenAPI document (GET /api/openapi.json)', () => {
  let testApp: TestApp | undefined;
  let app: Express;
  let routes: readonly AnyRoute[];
  let doc: Doc;

  before(async () => {
    testApp = await buildTestApp();
    app = testApp.app;
    routes = testApp.container.getAll(TOKENS.Routes).flat();
    const res = await request(app).get('/api/openapi.json').expect(200).expect('Content-Type', /application\/json/);
    doc = res.body as Doc;
  });

  after(async () => {
    await testApp?.close();
  });

  it('is a valid OpenAPI 3.1 document according to @seriousme/openapi-schema-validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
    expect(doc.openapi).to.match(/^3\.1\.\d+$/);
  });

  it('every Schema Object in it is a valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const invalid = schemaObjects(doc)
      .filter(({ schema }) => !ajv.validateSchema(schema as object))
      .map(({ where }) => `${where}: ${ajv.errorsText(ajv.errors)}`);
    expect(invalid).to.deep.equal([]);
  });

  it('documents every route the app mounts, and nothing it does not', () => {
    const mounted = mountedRoutes(app).filter((r) => !DOC_PAGES.has(r));
    const documented = documentedRoutes(doc);
    // The walk must see the API router, or the comparison below would prove nothing.
    // One route of each module, so a module the container forgot shows here by name.
    expect(mounted).to.include.members([
      'GET /health', 'POST /api/v1/auth/register', 'GET /api/v1/users', 'POST /api/v1/records', 'GET /api/v1/records/{id}', 'POST /api/v1/files',
      'POST /api/v1/records/export', 'GET /api/v1/jobs/{id}',
    ]);
    expect(mounted.filter((r) => !documented.includes(r)), 'mounted but undocumented').to.deep.equal([]);
    expect(documented.filter((r) => !mounted.includes(r)), 'documented but not mounted').to.deep.equal([]);
  });

  it('has one operation for each route definition the container holds', () => {
    const documented = new Set(documentedRoutes(doc));
    const fromContainer = routes.map((r) => `${r.method.toUpperCase()} /api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(fromContainer).size, 'duplicate method + path among route definitions').to.equal(fromContainer.length);
    expect(fromContainer.filter((r) => !documented.has(r))).to.deep.equal([]);
    for (const service of ['GET /', 'GET /health', 'GET /health/ready']) expect(documented.has(service), service).to.equal(true);
  });

  it('declares the bearer (JWT) security scheme, and every authenticated operation requires it', () => {
    expect(doc.components.securitySchemes['bearer']).to.deep.include({ type: 'http', scheme: 'bearer' });
    const authenticated = routes.filter((r) => r.auth !== 'none');
    expect(authenticated.length, 'routes that need a token').to.be.greaterThan(0);
    for (const r of authenticated) {
      const op = doc.paths[`/api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`]?.[r.method];
      expect(op?.security, `${r.method} ${r.path}`).to.deep.include({ bearer: [] });
    }
    for (const r of routes.filter((x) => x.auth === 'none')) {
      const op = doc.paths[`/api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`]?.[r.method];
      expect(op?.security, `${r.method} ${r.path} is public`).to.equal(undefined);
    }
  });

  it('documents the 429 and 503 every API operation can answer, and a body only as required when it is', () => {
    type Op = { responses?: Record<string, unknown>; requestBody?: { required?: boolean } };
    const op = (method: string, path: string) => (doc.paths[path] as Record<string, Op> | undefined)?.[method];
    for (const r of routes) {
      const responses = op(r.method, `/api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`)?.responses ?? {};
      expect(Object.keys(responses), `${r.method} ${r.path}`).to.include.members(['429', '503']);
    }
    // Logout's refresh_token is optional, so the whole body is; register's is not.
    expect(op('post', '/api/v1/auth/logout')?.requestBody?.required).to.equal(false);
    expect(op('post', '/api/v1/auth/register')?.requestBody?.required).to.equal(true);
  });

  it('declares every path template parameter as a path parameter', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${method.toUpperCase()} ${path}`).to.have.members(names);
      }
    }
  });
});
