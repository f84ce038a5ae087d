import { conformanceError, conformanceOf, OpenApiConformance, type ObservedResponse } from './openapi-conformance.js';

/**
 * fetch() for tests that talk to a server in another process: the response is held to the OpenAPI
 * document that server serves, as the supertest hook does for in-process apps, and a response
 * that breaks it throws.
 */
const documents = new Map<string, object>();

const documentOf = async (origin: string): Promise<object | null> => {
  const known = documents.get(origin);
  if (known) return known;
  try {
    const res = await fetch(`${origin}/api/openapi.json`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return null;
    const doc = (await res.json()) as object;
    documents.set(origin, doc);
    return doc;
  } catch {
    return null;
  }
};

/** What the checker needs of a fetch answer; the body is parsed only when it is JSON. */
const observe = (method: string, url: string, res: Response, text: string): ObservedResponse => {
  let body: unknown;
  if (/json/.test(res.headers.get('content-type') ?? '') && text !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = text;
    }
  }
  return { method, path: new URL(url).pathname, status: res.status, headers: Object.fromEntries(res.headers.entries()), body };
};

export interface CheckedResponse<B> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: B | null;
}

/** Returns the status, the headers and the JSON body (null when there is none). */
export const checkedFetch = async <B = Record<string, unknown>>(url: string, init: RequestInit = {}): Promise<CheckedResponse<B>> => {
  const res = await fetch(url, init);
  const text = await res.text();
  const observed = observe(init.method ?? 'GET', url, res, text);
  const doc = await documentOf(new URL(url).origin);
  if (doc) {
    const broken = conformanceError(observed, conformanceOf(doc).check(observed));
    if (broken) throw broken;
  }
  return { status: res.status, headers: res.headers, body: (observed.body ?? null) as B | null };
};

export interface SpecCheckedFetch {
  readonly fetch: (request: Request) => Promise<Response>;
  /** `METHOD /template status` of every answer checked, in order. */
  readonly seen: readonly string[];
}

/**
 * A `fetch` for the typed client (openapi-fetch) that holds every answer to `doc`, the document
 * the server serves, with objects closed (see OpenApiConformance): a status, media type, header
 * or field the document does not declare rejects the call, and so fails the test at that call.
 */
export const specCheckedFetch = (doc: object): SpecCheckedFetch => {
  const checker = new OpenApiConformance(doc as Record<string, unknown>, { closedObjects: true });
  const seen: string[] = [];
  return {
    seen,
    fetch: async (request) => {
      const response = await fetch(request);
      const observed = observe(request.method, request.url, response, await response.clone().text());
      const verdict = checker.check(observed);
      if (verdict.operation === null) throw new Error(`${request.method} ${observed.path}: no such operation in the OpenAPI document`);
      seen.push(`${verdict.operation} ${response.status}`);
      const broken = conformanceError(observed, verdict);
      if (broken) throw broken;
      return response;
    },
  };
};
