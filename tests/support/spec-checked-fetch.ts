import { createRequire } from 'node:module';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';

/**
 * A `fetch` that holds every answer to the OpenAPI document the server serves: the status must be
 * one the operation declares, the content type one that status declares, and a JSON body must
 * match its schema, where an object that lists its properties may carry no others (a field the
 * server sends but the spec does not name is drift too). A mismatch rejects the call, so a
 * client test that meets one fails at that call.
 */

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
export interface ServedDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

// The validator's own Ajv (8.x), as tests/http/openapi.test.ts takes it: hoisting cannot swap in another major.
const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('@seriousme/openapi-schema-validator'));
const { Ajv2020 } = requireFromValidator('ajv/dist/2020') as typeof Ajv2020Module;
const addFormats = requireFromValidator('ajv-formats') as (ajv: InstanceType<typeof Ajv2020>) => void;

/** Objects that name their properties get `additionalProperties: false` unless they say otherwise. */
const closed = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === 'examples' || key === 'const' || key === 'enum' ? value : closed(value);
  if (out['properties'] !== undefined && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  return out;
};

const templateMatcher = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^/}]+\\?\}/g, '[^/]+')}$`);

export interface SpecCheckedFetch {
  readonly fetch: (request: Request) => Promise<Response>;
  /** `METHOD /template status` of every answer checked, in order. */
  readonly seen: readonly string[];
  /** The known drifts that were met (each as given), so a test can insist that each is still real. */
  readonly driftMet: ReadonlySet<string>;
}

/** The declared media type an actual one falls under: itself, `type/*` or `*\/*` (OpenAPI media ranges). */
const mediaFor = <T>(content: Record<string, T> | undefined, type: string): T | undefined =>
  content?.[type] ?? content?.[`${type.split('/')[0]}/*`] ?? content?.['*/*'];

/**
 * `knownDrift`: `"METHOD /template: content type"` entries for a mismatch that is already filed and
 * not fixed yet; it is let through and recorded in `driftMet` instead of failing the call.
 */
export const specCheckedFetch = (doc: ServedDocument, knownDrift: readonly string[] = []): SpecCheckedFetch => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'portside:openapi', components: closed(doc.components ?? {}) });
  const validators = new Map<string, ValidateFunction>();
  // Literal paths before templated ones: /schedules/calendar is not /schedules/{id}.
  const templates = Object.keys(doc.paths)
    .map((path) => ({ path, matcher: templateMatcher(path), params: (path.match(/\{/g) ?? []).length }))
    .sort((a, b) => a.params - b.params);
  const seen: string[] = [];
  const driftMet = new Set<string>();

  const check = async (request: Request, response: Response): Promise<void> => {
    const method = request.method.toLowerCase();
    const { pathname } = new URL(request.url);
    const path = templates.find((t) => t.matcher.test(pathname) && doc.paths[t.path]?.[method])?.path;
    if (path === undefined) throw new Error(`${request.method} ${pathname}: no such operation in the OpenAPI document`);
    const where = `${request.method} ${path} ${response.status}`;
    seen.push(where);
    const declared = doc.paths[path]![method]!.responses[String(response.status)];
    if (declared === undefined) {
      throw new Error(`${where}: status not in the OpenAPI document (it declares ${Object.keys(doc.paths[path]![method]!.responses).join(', ')}): ${await response.clone().text()}`);
    }
    const body = await response.clone().arrayBuffer();
    if (body.byteLength === 0 && declared.content === undefined) return;
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const media = mediaFor(declared.content, type);
    if (media === undefined) {
      const drift = `${request.method} ${path}: content type`;
      if (knownDrift.includes(drift)) {
        driftMet.add(drift);
        return;
      }
      throw new Error(`${where}: content type "${type}" not in the OpenAPI document (${Object.keys(declared.content ?? {}).join(', ') || 'no body'})`);
    }
    if (type !== 'application/json' || media.schema === undefined) return;
    let validate = validators.get(where);
    if (validate === undefined) {
      const rebased = JSON.parse(JSON.stringify(closed(media.schema)).replaceAll('"#/components/', '"portside:openapi#/components/')) as Schema;
      validate = ajv.compile(rebased);
      validators.set(where, validate);
    }
    const json: unknown = JSON.parse(new TextDecoder().decode(body));
    if (!validate(json)) throw new Error(`${where}: body does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(json)}`);
  };

  return {
    seen,
    driftMet,
    fetch: async (request) => {
      const response = await fetch(request);
      await check(request, response);
      return response;
    },
  };
};
