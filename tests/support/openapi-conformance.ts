import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Holds an HTTP response to the OpenAPI document of the app that gave it: the status is one the
 * operation lists, the media type one it declares for that status, a JSON body valid against its
 * schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses, with ajv-formats for `uuid`, `email`,
 * `date-time`), and every header the response declares as required is present and valid.
 * tests/support/conformance-hook.ts runs it on every response a test receives through supertest.
 */

// ajv-formats is CommonJS with a default export: under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;

export interface ObservedResponse {
  readonly method: string;
  /** The request path (no query string), as sent. */
  readonly path: string;
  readonly status: number;
  /** Lower-case names, as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (undefined when none). */
  readonly body: unknown;
}

export interface Verdict {
  /** The operation the response was matched to (`GET /api/v1/users/{id}`), or null when the document has none. */
  readonly operation: string | null;
  readonly problems: readonly string[];
}

const DOC_ID = 'https://portside.invalid/openapi.json';

const pointer = (...segments: string[]): string =>
  segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

const mediaTypeOf = (header: string | string[] | undefined): string | undefined =>
  (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase();

const mediaMatches = (declared: string, actual: string): boolean => {
  if (declared === '*/*') return true;
  const [type, sub] = declared.toLowerCase().split('/');
  const [aType, aSub] = actual.split('/');
  return type === aType && (sub === '*' || sub === aSub);
};

const isJson = (mediaType: string): boolean => mediaType === 'application/json' || mediaType.endsWith('+json');

/** Objects that name their properties get `additionalProperties: false` unless they say otherwise. */
const closed = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === 'examples' || key === 'example' || key === 'const' || key === 'enum' ? value : closed(value);
  if (out['properties'] !== undefined && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  return out;
};

interface Template {
  readonly path: string;
  readonly regex: RegExp;
  readonly params: number;
}

export class OpenApiConformance {
  private readonly ajv: Ajv2020;
  private readonly templates: Template[];
  private readonly validators = new Map<string, ValidateFunction>();

  /**
   * `closedObjects`: an object schema that names its properties allows no others unless it says so,
   * so a field the server sends but the document does not name fails too (the typed-client
   * scenario asks for this; the supertest hook does not, as many tests build partial apps).
   */
  constructor(
    private readonly doc: Json,
    options: { readonly closedObjects?: boolean } = {},
  ) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...(options.closedObjects ? (closed(doc) as Json) : structuredClone(doc)), $id: DOC_ID });
    // Literal segments win over parameters (`/schedules/calendar` before `/schedules/{id}`), as the routes are mounted.
    this.templates = Object.keys((doc['paths'] ?? {}) as Json)
      .map((path) => ({
        path,
        // Express matches case-insensitively and with a trailing slash (its default, non-strict routing).
        regex: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i'),
        params: (path.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  private validator(ref: string): ValidateFunction {
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOC_ID}#${ref}` });
      this.validators.set(ref, validate);
    }
    return validate;
  }

  private resolve(node: unknown): Json {
    const ref = (node as Json | undefined)?.['$ref'];
    if (typeof ref !== 'string') return (node ?? {}) as Json;
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((at, key) => (at as Json)[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc) as Json;
  }

  check(res: ObservedResponse): Verdict {
    const method = res.method.toLowerCase() === 'head' ? 'get' : res.method.toLowerCase();
    const template = this.templates.find((t) => t.regex.test(res.path));
    const operation = template ? ((this.doc['paths'] as Json)[template.path] as Json)[method] : undefined;
    if (!template || !operation) return { operation: null, problems: [] };
    const name = `${method.toUpperCase()} ${template.path}`;
    const problems: string[] = [];
    const responses = (operation as Json)['responses'] as Json;
    const key = String(res.status) in responses ? String(res.status) : `${String(res.status)[0]}XX` in responses ? `${String(res.status)[0]}XX` : 'default' in responses ? 'default' : null;
    if (key === null) {
      return { operation: name, problems: [`status ${res.status} is not listed (listed: ${Object.keys(responses).join(', ')})`] };
    }
    const response = this.resolve(responses[key]);

    for (const [header, raw] of Object.entries((response['headers'] ?? {}) as Json)) {
      const spec = this.resolve(raw);
      const value = res.headers[header.toLowerCase()];
      if (value === undefined) {
        if (spec['required'] === true) problems.push(`required header ${header} is missing`);
        continue;
      }
      if (spec['schema']) {
        const ref = typeof (raw as Json)['$ref'] === 'string' ? `${((raw as Json)['$ref'] as string).slice(1)}/schema` : `/${pointer('paths', template.path, method, 'responses', key, 'headers', header, 'schema')}`;
        const validate = this.validator(ref);
        for (const v of Array.isArray(value) ? value : [value]) {
          if (!validate(v)) problems.push(`header ${header}: ${JSON.stringify(v)} ${this.ajv.errorsText(validate.errors)}`);
        }
      }
    }

    const content = response['content'] as Json | undefined;
    const actual = mediaTypeOf(res.headers['content-type']);
    if (!content) {
      if (actual !== undefined && res.status !== 204 && method !== 'head') problems.push(`a ${actual} body where the document declares none`);
      return { operation: name, problems };
    }
    if (res.method.toLowerCase() === 'head') return { operation: name, problems };
    if (actual === undefined) return { operation: name, problems: [...problems, `no Content-Type; the document declares ${Object.keys(content).join(', ')}`] };
    const declared = Object.keys(content).find((m) => mediaMatches(m, actual));
    if (declared === undefined) return { operation: name, problems: [...problems, `media type ${actual} is not declared (declared: ${Object.keys(content).join(', ')})`] };
    if (isJson(actual) && (content[declared] as Json)['schema'] !== undefined) {
      const validate = this.validator(`/${pointer('paths', template.path, method, 'responses', key, 'content', declared, 'schema')}`);
      if (!validate(res.body)) {
        const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${e.params ? JSON.stringify(e.params) : ''}`);
        problems.push(`body does not match the schema: ${errors.join('; ')}`);
      }
    }
    return { operation: name, problems };
  }
}

const checkers = new WeakMap<object, OpenApiConformance>();

/** One checker per document object (each app builds its own once). */
export const conformanceOf = (doc: object): OpenApiConformance => {
  let checker = checkers.get(doc);
  if (!checker) {
    checker = new OpenApiConformance(doc as Json);
    checkers.set(doc, checker);
  }
  return checker;
};

/** A thrown-ready error naming the operation, the problems and the start of the body. */
export const conformanceError = (res: ObservedResponse, verdict: Verdict): Error | null => {
  if (verdict.problems.length === 0) return null;
  const body = JSON.stringify(res.body) ?? '';
  return new Error(
    `The response breaks the OpenAPI document: ${res.method} ${res.path} (${verdict.operation}) answered ${res.status}:\n` +
      `${verdict.problems.map((p) => `  - ${p}`).join('\n')}\n  body: ${body.slice(0, 400)}\n` +
      '  Fix the route\'s declaration (adapters/http/routes, openapi.ts) or the server; see docs/api.md "OpenAPI conformance".',
  );
};
