import type { AddressInfo } from 'node:net';
import { bootstrap } from './bootstrap.js';
import { buildHttpApp } from './http.js';

/**
 * docs/api-reference.md, generated from the OpenAPI document the server serves at
 * /api/openapi.json (every module's routes, on the memory profile, with /metrics enabled).
 * `npm run docs:api` rewrites it; tests/composition/api-reference.test.ts fails when it is stale.
 */

type Schema = {
  type?: string | string[];
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  description?: string;
  examples?: unknown[];
};

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema; example?: unknown }> };
  responses: Record<string, { description?: string; headers?: Record<string, unknown>; content?: Record<string, { schema?: Schema; example?: unknown }> }>;
  security?: unknown[];
}

interface OpenApiDocument {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

const resolveRef = (doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined => {
  if (!schema?.$ref) return schema;
  return doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
};

/** `string (3..254 chars)`, `integer 1..100`, `one of a, b`, `string | null`... */
const typeOf = (doc: OpenApiDocument, raw: Schema | undefined): string => {
  const s = resolveRef(doc, raw);
  if (!s) return 'any';
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return `one of ${s.enum.map((e) => `\`${String(e)}\``).join(', ')}`;
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map((u) => typeOf(doc, u)).join(' or ');
  if (s.allOf) return s.allOf.map((u) => typeOf(doc, u)).join(' and ');
  const type = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  const rules: string[] = [];
  if (s.format) rules.push(s.format);
  if (s.minLength !== undefined || s.maxLength !== undefined) rules.push(`${s.minLength ?? 0}..${s.maxLength ?? '∞'} chars`);
  if (s.minimum !== undefined || s.maximum !== undefined) rules.push(`${s.minimum ?? '-∞'}..${s.maximum ?? '∞'}`);
  if (s.minItems !== undefined || s.maxItems !== undefined) rules.push(`${s.minItems ?? 0}..${s.maxItems ?? '∞'} items`);
  if (s.pattern) rules.push(`pattern \`${s.pattern}\``);
  const base = type === 'array' ? `array of ${typeOf(doc, s.items)}` : type;
  return rules.length > 0 ? `${base} (${rules.join(', ')})` : base;
};

/** A plausible value for a schema, for the examples. */
const exampleOf = (doc: OpenApiDocument, raw: Schema | undefined, name = '', depth = 0): unknown => {
  const s = resolveRef(doc, raw);
  if (!s || depth > 6) return null;
  if (s.examples?.length) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const union = s.anyOf ?? s.oneOf;
  if (union) return exampleOf(doc, union.find((u) => u.type !== 'null') ?? union[0], name, depth + 1);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((u) => exampleOf(doc, u, name, depth + 1) as object));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(s.properties ?? {})) out[key] = exampleOf(doc, value, key, depth + 1);
      return out;
    }
    case 'array':
      return [exampleOf(doc, s.items, name, depth + 1)];
    case 'integer':
      return s.minimum !== undefined && s.minimum > 1 ? s.minimum : 1;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'string':
      if (s.format === 'uuid' || /(^|_)id$/.test(name)) return '0192f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f';
      if (s.format === 'date-time' || /_at$/.test(name)) return '2026-01-31T12:00:00.000Z';
      if (s.format === 'binary') return '<file bytes>';
      if (/email/.test(name)) return 'ada@example.com';
      if (/password/.test(name)) return 'correct horse battery staple';
      if (name === 'username') return 'ada';
      return name ? name.replace(/_/g, ' ') : 'string';
    default:
      return null;
  }
};

const fieldRows = (doc: OpenApiDocument, raw: Schema | undefined): string[] => {
  const s = resolveRef(doc, raw);
  const parts = s?.allOf ? s.allOf.map((p) => resolveRef(doc, p)) : [s];
  const object: Schema = {
    properties: Object.assign({}, ...parts.map((p) => p?.properties ?? {})) as Record<string, Schema>,
    required: parts.flatMap((p) => p?.required ?? []),
  };
  if (Object.keys(object.properties!).length === 0) return [];
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties!).map(
    ([name, field]) => `| \`${name}\` | ${cell(typeOf(doc, field))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(resolveRef(doc, field)?.description ?? '')} |`,
  );
};

const renderOperation = (doc: OpenApiDocument, method: string, path: string, op: Operation): string[] => {
  const out: string[] = [`### ${method.toUpperCase()} ${path}`, '', `${(op.summary ?? '').replace(/\.?$/, '.')} **Auth:** ${op.security ? 'bearer access token' : 'none'}.`, ''];
  if (op.description) out.push(op.description, '');
  const params = op.parameters ?? [];
  if (params.length > 0) {
    out.push('| parameter | in | type and rules | required | notes |', '| --- | --- | --- | --- | --- |');
    for (const p of params) out.push(`| \`${p.name}\` | ${p.in} | ${cell(typeOf(doc, p.schema))} | ${p.required ? 'yes' : 'no'} | ${cell(p.description ?? p.schema?.description ?? '')} |`);
    out.push('');
  }
  if (op.requestBody) {
    for (const [type, { schema, example }] of Object.entries(op.requestBody.content)) {
      out.push(`Body (\`${type}\`${op.requestBody.required ? '' : ', optional'}):`, '');
      if (schema?.description) out.push(`${schema.description.replace(/\.?$/, '.')}`, '');
      const rows = fieldRows(doc, schema);
      if (rows.length > 0) out.push('| field | type and rules | required | notes |', '| --- | --- | --- | --- |', ...rows, '');
      if (type === 'application/json') out.push('```json', JSON.stringify(example ?? exampleOf(doc, schema), null, 2), '```', '');
    }
  }
  out.push('| status | meaning | headers |', '| --- | --- | --- |');
  for (const [status, response] of Object.entries(op.responses)) {
    // The headers every response carries (X-Request-ID, RateLimit-*...) are in api.md; each row names the others.
    const own = Object.keys(response.headers ?? {}).filter((h) => !/^(X-Request-ID|X-Process-Time|RateLimit-.*)$/.test(h));
    out.push(`| ${status} | ${cell(response.description ?? '')} | ${own.map((h) => `\`${h}\``).join(', ')} |`);
  }
  out.push('');
  const success = Object.entries(op.responses).find(([status, r]) => /^2/.test(status) && r.content?.['application/json']?.schema);
  if (success) {
    const media = success[1].content!['application/json']!;
    out.push(`Example ${success[0]} response:`, '', '```json', JSON.stringify(media.example ?? exampleOf(doc, media.schema), null, 2), '```', '');
  }
  return out;
};

/** The Markdown reference of an OpenAPI document: grouped by tag, in path order. */
export const renderApiReference = (doc: OpenApiDocument): string => {
  const operations: { tag: string; method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) operations.push({ tag: op.tags?.[0] ?? 'other', method, path, op });
    }
  }
  const tags = [...new Set(operations.map((o) => o.tag))];
  const anchor = (o: { method: string; path: string }) => `${o.method} ${o.path}`.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
  const lines = [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs:api` from the OpenAPI document (composition/api-reference.ts). Do not edit by hand. -->',
    '',
    'Every route the server serves, with its parameters, rules, statuses and an example. The server',
    'listens on `http://localhost:3000` by default; API routes live under `/api/v1`. Conventions shared',
    'by every route (the response envelope, errors, pagination, idempotency, rate limits) are in',
    '[api.md](api.md); the same document is served live at `/api/openapi.json`, `/api/docs` (Swagger UI)',
    'and `/api/redoc`.',
    '',
    'Errors use the envelope `{"code": <status>, "error": "<CODE>", "message": "...", "detail": ...}`;',
    'a 422 lists the failing fields in `detail` as `{"field": "<path>", "message": "..."}`.',
    '',
    '## Contents',
    '',
  ];
  for (const tag of tags) {
    lines.push(`- **${tag}**: ${operations.filter((o) => o.tag === tag).map((o) => `[${o.method.toUpperCase()} ${o.path}](#${anchor(o)})`).join(', ')}`);
  }
  lines.push('');
  for (const tag of tags) {
    lines.push(`## ${tag}`, '');
    for (const o of operations.filter((x) => x.tag === tag)) lines.push(...renderOperation(doc, o.method, o.path, o.op));
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
};

/** The OpenAPI document exactly as the server serves it (memory profile, metrics on). */
export const servedOpenApi = async (): Promise<OpenApiDocument> => {
  const runtime = await bootstrap(
    { PROFILE: 'memory', NODE_ENV: 'test', LOG_LEVEL: 'error', METRICS_ENABLED: 'true', DOCS_ENABLED: 'true', JWT_SECRET: 'api-reference-generator-not-a-secret-0123' },
    { migrate: false },
  );
  const server = buildHttpApp(runtime.container).listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
    return (await response.json()) as OpenApiDocument;
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await runtime.infra.close();
  }
};
