import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { EXAMPLE_UUID } from './codecs.js';
import { MACHINE_CODES } from './error-mapper.js';
import { bodyHandlingOf, type AnyRoute, type Method, type ResponseDoc } from './route.js';
import { docOf, type JsonSchema } from './schema-registry.js';
import { MAX_INPUT_DEPTH } from './validation.js';

/** io-ts codec → JSON Schema (2020-12, as OpenAPI 3.1 uses). Documented codecs win. */
export const schemaOf = (codec: t.Mixed): JsonSchema => {
  const doc = docOf(codec);
  const base = derivedSchema(codec);
  return doc?.extra ? { ...base, ...doc.extra } : base;
};

const derivedSchema = (codec: t.Mixed): JsonSchema => {
  const doc = docOf(codec);
  if (doc?.object) return objectSchema(doc.object.required, doc.object.optional, false);
  if (doc?.schema) return doc.schema;
  const c = codec as t.Mixed & { _tag?: string; [k: string]: unknown };
  switch (c._tag) {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return { type: 'null' };
    case 'UnknownType':
    case 'AnyType':
      return {};
    case 'UnknownRecordType':
    case 'AnyDictionaryType':
      return { type: 'object' };
    case 'LiteralType':
      return { const: c['value'] };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c['keys'] as object) };
    case 'UnionType': {
      const members = c['types'] as t.Mixed[];
      return { anyOf: members.map(schemaOf) };
    }
    case 'IntersectionType': {
      const parts = (c['types'] as t.Mixed[]).map(schemaOf);
      if (parts.every((p) => p['type'] === 'object')) {
        return {
          type: 'object',
          properties: Object.assign({}, ...parts.map((p) => p['properties'] ?? {})),
          required: parts.flatMap((p) => (p['required'] as string[] | undefined) ?? []),
        };
      }
      return { allOf: parts };
    }
    case 'InterfaceType':
      return objectSchema(c['props'] as t.Props, {}, true);
    case 'PartialType':
      return objectSchema({}, c['props'] as t.Props, true);
    case 'ExactType':
      return { ...schemaOf(c['type'] as t.Mixed), additionalProperties: false };
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: schemaOf(c['type'] as t.Mixed) };
    case 'DictionaryType':
      return { type: 'object', additionalProperties: schemaOf(c['codomain'] as t.Mixed) };
    case 'RefinementType':
    case 'ReadonlyType':
      return schemaOf(c['type'] as t.Mixed);
    default:
      return {};
  }
};

const objectSchema = (required: t.Props, optional: t.Props, open: boolean): JsonSchema => {
  const properties: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries({ ...required, ...optional })) properties[k] = schemaOf(v);
  const req = Object.keys(required);
  return { type: 'object', properties, ...(req.length > 0 ? { required: req } : {}), ...(open ? {} : { additionalProperties: false }) };
};

/**
 * An example value for a schema, built from the examples its codecs carry (`withExample`, the
 * `examples` of a documented codec), then from `const`, `enum`, formats and bounds. Of a `oneOf`
 * of required keys (login) only the first branch's key is kept, so the example is a valid request.
 */
export const exampleOf = (schema: JsonSchema | undefined, depth = 0): unknown => {
  const s = schema ?? {};
  const examples = s['examples'] as unknown[] | undefined;
  if (examples && examples.length > 0) return examples[0];
  if ('const' in s) return s['const'];
  const choices = (s['enum'] as unknown[] | undefined) ?? undefined;
  if (choices && choices.length > 0) return choices[0];
  if (depth > 8) return null;
  const union = s['anyOf'] as JsonSchema[] | undefined;
  if (union) return exampleOf(union.find((u) => u['type'] !== 'null') ?? union[0], depth + 1);
  const type = s['type'];
  if (type === 'object' || s['properties']) {
    const props = (s['properties'] ?? {}) as Record<string, JsonSchema>;
    const branches = (s['oneOf'] as { required?: string[] }[] | undefined) ?? [];
    const excluded = new Set(branches.slice(1).flatMap((b) => b.required ?? []));
    return Object.fromEntries(Object.entries(props).filter(([k]) => !excluded.has(k)).map(([k, v]) => [k, exampleOf(v, depth + 1)]));
  }
  if (type === 'array') return [exampleOf(s['items'] as JsonSchema | undefined, depth + 1)];
  if (type === 'integer' || type === 'number') return (s['minimum'] as number | undefined) ?? 1;
  if (type === 'boolean') return true;
  if (type === 'string') {
    if (s['format'] === 'uuid') return EXAMPLE_UUID;
    if (s['format'] === 'date-time') return '2026-01-31T12:00:00.000Z';
    return 'string';
  }
  return null;
};

const FIELD_ISSUE: JsonSchema = {
  type: 'object',
  required: ['field', 'message'],
  properties: { field: { type: 'string', examples: ['email'] }, message: { type: 'string', examples: ['must be a valid email address'] } },
};

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'error', 'message', 'request_id'],
  properties: {
    code: { type: 'integer', description: 'the HTTP status' },
    error: { type: 'string', description: 'the machine code (one per status)', examples: ['VALIDATION_ERROR'] },
    message: { type: 'string', description: 'for people; not to be parsed' },
    detail: { description: 'a 422 lists the failing fields here; /health/ready names its checks' },
    request_id: { type: 'string', description: 'the X-Request-ID of the request' },
  },
};

const envelope = (data: JsonSchema, status: number): JsonSchema => ({
  type: 'object',
  required: ['code', 'message', 'data'],
  properties: { code: { const: status }, message: { const: 'success' }, data },
});

/** Headers every response, or every API response, carries: declared once under components.headers. */
const COMMON_HEADERS: Record<string, { description: string; required: boolean; schema: JsonSchema }> = {
  'X-Request-ID': {
    description: 'The request\'s id: the one the client sent when it is 1 to 128 of `[A-Za-z0-9._-]`, a new UUID otherwise',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
  },
  'X-Process-Time': { description: 'Seconds the server took before the headers left', required: true, schema: { type: 'string', pattern: '^\\d+\\.\\d+$' } },
  'RateLimit-Policy': { description: 'The request limiter\'s quota and window, e.g. `600;w=60`', required: false, schema: { type: 'string' } },
  'RateLimit-Limit': { description: 'Requests allowed in the window', required: false, schema: { type: 'string' } },
  'RateLimit-Remaining': { description: 'Requests left in the window', required: false, schema: { type: 'string' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', required: false, schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
  'WWW-Authenticate': { description: 'The scheme to authenticate with: `Bearer`', required: true, schema: { type: 'string' } },
};
const RATE_LIMIT_HEADERS = ['RateLimit-Policy', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** The descriptions of the statuses automaticStatuses adds (a route's own declaration wins). */
const ERROR_TEXT: Record<number, string> = {
  401: 'Missing, malformed, expired or revoked bearer token',
  413: 'Body over its limit',
  429: 'Rate limited (Retry-After tells when to retry)',
  500: 'Unexpected error (a bug): a generic message, nothing internal',
  503: 'A dependency is unavailable, or the server is shutting down (Retry-After tells when to retry)',
};

/** Why a route can answer 422, from what it decodes. */
const unprocessableText = (def: AnyRoute): string => {
  const parts = [
    ...(def.params ? ['a path parameter holds NUL (U+0000) or an unpaired surrogate'] : []),
    ...(def.query ? ['a query parameter is invalid'] : []),
    ...(def.body ? ['a body field is invalid or unknown'] : bodyHandlingOf(def) === 'empty' ? ['a body was sent with fields (this route takes none)'] : []),
    ...((def.headers ?? []).some((h) => h.schema) ? [`a header is invalid (${(def.headers ?? []).filter((h) => h.schema).map((h) => h.name).join(', ')})`] : []),
  ];
  return `Validation failed: ${parts.join('; ')}. \`detail\` lists the field paths. Strings with NUL or unpaired surrogates and JSON nested more than ${MAX_INPUT_DEPTH} levels are refused too`;
};

/** components.schemas.Error narrowed to one status: written out whole, so it reads (and closes) on its own. */
const errorSchema = (status: number, detail: JsonSchema | undefined): JsonSchema => {
  const code = MACHINE_CODES[status];
  const base = ERROR_SCHEMA['properties'] as Record<string, JsonSchema>;
  return {
    ...ERROR_SCHEMA,
    properties: {
      ...base,
      code: { ...base['code'], const: status },
      ...(code ? { error: { ...base['error'], const: code, examples: [code] } } : {}),
      ...(detail ? { detail: { ...base['detail'], ...detail } } : {}),
    },
    // A 422 always lists its fields; other details are there when the server has them (a draining server's 503 has none).
    required: [...(ERROR_SCHEMA['required'] as string[]), ...(status === 422 ? ['detail'] : [])],
  };
};

/** An error response: the envelope with this status's machine code, and an example of it. */
const errorContent = (code: number, doc: ResponseDoc) => {
  const detail = doc.detail ? schemaOf(doc.detail) : code === 422 ? { type: 'array', items: FIELD_ISSUE } : undefined;
  return {
    schema: errorSchema(code, detail),
    example: {
      code,
      error: MACHINE_CODES[code] ?? 'ERROR',
      message: doc.description.split(/[;(]/)[0]!.trim(),
      ...(detail ? { detail: exampleOf(detail) } : {}),
      request_id: '5f2b8c1e-3d4a-4b6c-9e8f-7a6b5c4d3e2f',
    },
  };
};

const headersOf = (names: readonly string[], own: ResponseDoc['headers']) => ({
  ...Object.fromEntries(names.map((n) => [n, headerRef(n)])),
  ...Object.fromEntries(
    Object.entries(own ?? {}).map(([name, h]) => [
      name,
      { description: h.description, required: h.required ?? false, schema: h.schema ? schemaOf(h.schema) : { type: 'string' } },
    ]),
  ),
});

const parameters = (codec: t.Mixed | undefined, where: 'path' | 'query') => {
  if (!codec) return [];
  const schema = schemaOf(codec);
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
    // An example only where the schema names a real value, so "Try it out" sends a valid request; not an id, which would
    // only empty the list.
    ...(where === 'query' && s['format'] !== 'uuid' && (s['examples'] !== undefined || s['enum'] !== undefined || s['type'] === 'boolean') ? { example: exampleOf(s) } : {}),
  }));
};

const bodyRequired = (def: AnyRoute): boolean =>
  def.bodyKind === 'multipart' || def.bodyKind === 'form' || def.body === undefined || E.isLeft(def.body.decode({}));

/** The statuses a route answers whatever its handler does, from how it is mounted and what it decodes. */
const automaticStatuses = (def: AnyRoute, api: boolean): Map<number, string> => {
  const out = new Map<number, string>();
  const body = bodyHandlingOf(def);
  const reasons400 = [
    ...(def.params ? ['malformed percent-encoding in the path'] : []),
    ...(body === 'json' || body === 'empty' ? ['unparseable JSON'] : []),
    ...(body === 'form' ? ['more form fields than the parser takes'] : []),
  ];
  if (reasons400.length > 0) out.set(400, `Malformed request: ${reasons400.join('; ')}`);
  if (def.auth !== 'none') out.set(401, ERROR_TEXT[401]!);
  // A public API route still checks a bearer token that is sent.
  else if (api) out.set(401, 'An `Authorization: Bearer` header was sent and its token is not valid (this route needs none: leave it out)');
  if (def.auth === 'admin') out.set(403, 'Not an administrator');
  if (body === 'json' || body === 'empty' || body === 'form') {
    out.set(413, ERROR_TEXT[413]!);
    out.set(415, body === 'form' ? 'Not `application/x-www-form-urlencoded`, or an unsupported charset or encoding' : 'Not JSON (`application/json`), or an unsupported charset or encoding');
  }
  if (def.params || def.query || body === 'json' || body === 'empty' || body === 'form' || (def.headers ?? []).some((h) => h.schema)) {
    out.set(422, unprocessableText(def));
  }
  if (api) out.set(429, ERROR_TEXT[429]!);
  out.set(500, ERROR_TEXT[500]!);
  out.set(503, ERROR_TEXT[503]!);
  return out;
};

const operation = (def: AnyRoute, api: boolean) => {
  const common = (status: number): string[] => [
    'X-Request-ID',
    'X-Process-Time',
    ...(api ? RATE_LIMIT_HEADERS : []),
    ...(status === 429 || status === 503 ? ['Retry-After'] : []),
    ...(status === 401 && api ? ['WWW-Authenticate'] : []),
  ];
  const declared = new Map<number, ResponseDoc>(Object.entries(def.responses).map(([status, doc]) => [Number(status), doc]));
  for (const [status, description] of automaticStatuses(def, api)) if (!declared.has(status)) declared.set(status, { description });

  const responses: Record<string, unknown> = {};
  for (const [code, doc] of [...declared].sort(([a], [b]) => a - b)) {
    const headers = headersOf(common(code), doc.headers);
    const content = doc.contentType
      ? { [doc.contentType]: { schema: { type: 'string', format: 'binary' } } }
      : code === 204
        ? undefined
        : code >= 400
          ? { 'application/json': errorContent(code, doc) }
          : { 'application/json': { schema: envelope(doc.data ? schemaOf(doc.data) : {}, code), example: { code, message: 'success', data: doc.data ? exampleOf(schemaOf(doc.data)) : null } } };
    responses[String(code)] = { description: doc.description, headers, ...(content ? { content } : {}) };
  }

  const bodyContent =
    def.bodyKind === 'multipart'
      ? { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } }
      : def.bodyKind === 'form'
        ? { 'application/x-www-form-urlencoded': { schema: def.body ? schemaOf(def.body) : {} } }
        : def.body
          ? { 'application/json': { schema: schemaOf(def.body), example: exampleOf(schemaOf(def.body)) } }
          : undefined;

  return {
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: [...def.tags],
    operationId: `${def.method}${def.path.replace(/[:/{}-](\w)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
    parameters: [
      ...parameters(def.params, 'path'),
      ...parameters(def.query, 'query'),
      ...(def.headers ?? []).map((h) => ({
        name: h.name,
        in: 'header',
        required: h.required ?? false,
        description: h.description,
        schema: h.schema ? schemaOf(h.schema) : { type: 'string' },
      })),
    ],
    // A body the codec would accept as `{}` may be left out (the route decodes a missing body as `{}`), e.g. logout's.
    ...(bodyContent ? { requestBody: { required: bodyRequired(def), content: bodyContent } } : {}),
    responses,
    ...(def.auth !== 'none' ? { security: [{ bearer: [] }, { oauth2: [] }] } : {}),
  };
};

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

/** The OpenAPI 3.1 document of every declared route, plus the service endpoints. */
export const buildOpenApi = (info: OpenApiInfo, routes: readonly AnyRoute[], serviceRoutes: readonly AnyRoute[] = []) => {
  const paths: Record<string, Partial<Record<Method, unknown>>> = {};
  const add = (prefix: string, def: AnyRoute) => {
    const path = prefix + def.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[def.method] = operation(def, prefix !== '');
  };
  for (const def of serviceRoutes) add('', def);
  for (const def of routes) add('/api/v1', def);
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      headers: COMMON_HEADERS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } } },
      },
    },
  };
};
