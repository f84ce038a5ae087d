import { conformanceError, conformanceOf } from './openapi-conformance.js';

/**
 * fetch() for tests that talk to a server in another process: the response is held to the OpenAPI
 * document that server serves (fetched once per origin from /api/openapi.json), as the supertest
 * hook does for in-process apps, and a response that breaks it throws. Returns the status, the
 * headers and the JSON body (null when there is none).
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

export interface CheckedResponse<B> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: B | null;
}

export const checkedFetch = async <B = Record<string, unknown>>(url: string, init: RequestInit = {}): Promise<CheckedResponse<B>> => {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    body = null;
  }
  const { origin, pathname } = new URL(url);
  const doc = await documentOf(origin);
  if (doc) {
    const observed = {
      method: init.method ?? 'GET',
      path: pathname,
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body: /json/.test(res.headers.get('content-type') ?? '') ? body : undefined,
    };
    const broken = conformanceError(observed, conformanceOf(doc).check(observed));
    if (broken) throw broken;
  }
  return { status: res.status, headers: res.headers, body: body as B | null };
};
