import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { AnyRoute, Method } from './route.js';
import { docOf, type JsonSchema } from './schema-registry.js';
import { MAX_INPUT_DEPTH } from './validation.js';

/** io-ts codec → JSON Schema (2020-12, as OpenAPI 3.1 uses). Documented codecs win. */
export const schemaOf = (codec: t.Mixed): JsonSchema => {
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

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'error', 'message', 'request_id'],
  properties: {
    code: { type: 'integer' },
    error: { type: 'string', examples: ['VALIDATION_ERROR'] },
    message: { type: 'string' },
    detail: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    request_id: { type: 'string' },
  },
};

const envelope = (data: JsonSchema, status: number): JsonSchema => ({
  type: 'object',
  required: ['code', 'message', 'data'],
  properties: { code: { const: status }, message: { const: 'success' }, data },
});

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed request',
  401: 'Missing, invalid, expired or revoked credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found, or not visible to the caller',
  413: 'Body over its limit',
  415: 'Wrong content type',
  422: `Field validation failed (detail lists field paths); this includes any string or key with NUL (U+0000) or an unpaired surrogate, and a body nested more than ${MAX_INPUT_DEPTH} levels deep`,
  429: 'Rate limited (Retry-After tells when to retry)',
  500: 'Unexpected error',
  503: 'A dependency is unavailable, or the server is shutting down (Retry-After tells when to retry)',
};

const errorResponse = (status: number) => ({
  description: ERROR_TEXT[status] ?? 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const parameters = (codec: t.Mixed | undefined, where: 'path' | 'query') => {
  if (!codec) return [];
  const schema = schemaOf(codec);
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: s }));
};

const bodyRequired = (def: AnyRoute): boolean =>
  def.bodyKind === 'multipart' || def.bodyKind === 'form' || def.body === undefined || E.isLeft(def.body.decode({}));

const operation = (def: AnyRoute) => {
  const responses: Record<string, unknown> = {};
  for (const [status, doc] of Object.entries(def.responses)) {
    const code = Number(status);
    responses[status] = doc.contentType
      ? { description: doc.description, content: { [doc.contentType]: { schema: { type: 'string', format: 'binary' } } } }
      : code === 204
        ? { description: doc.description }
        : code >= 400
          ? { ...errorResponse(code), description: doc.description }
        : { description: doc.description, content: { 'application/json': { schema: envelope(doc.data ? schemaOf(doc.data) : {}, code) } } };
  }
  // Every API route sits behind the request limiter and needs the database or another dependency.
  const errors = new Set<number>([429, 500, 503]);
  if (def.auth !== 'none') errors.add(401);
  if (def.auth === 'admin') errors.add(403);
  if (def.params || def.query || def.body) errors.add(422);
  if (def.body) errors.add(400).add(413).add(415);
  for (const status of errors) if (!responses[String(status)]) responses[String(status)] = errorResponse(status);

  const bodyContent =
    def.bodyKind === 'multipart'
      ? { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } }
      : def.bodyKind === 'form'
        ? { 'application/x-www-form-urlencoded': { schema: def.body ? schemaOf(def.body) : {} } }
        : def.body
          ? { 'application/json': { schema: schemaOf(def.body) } }
          : undefined;

  return {
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: [...def.tags],
    operationId: `${def.method}${def.path.replace(/[:/{}-](\w)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
    parameters: [
      ...parameters(def.params, 'path'),
      ...parameters(def.query, 'query'),
      ...(def.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: { type: 'string' } })),
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
    (paths[path] ??= {})[def.method] = operation(def);
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
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        oauth2: { type: 'oauth2', flows: { password: { tokenUrl: '/api/v1/auth/token', scopes: {} } } },
      },
    },
  };
};
