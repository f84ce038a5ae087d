import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Response } from 'supertest';
import { conformanceError, conformanceOf } from './openapi-conformance.js';

/**
 * Every response a test receives through supertest is held to the OpenAPI document of the app that
 * answered it (adapters/http/app.ts keeps it in `app.locals.openapi`): a response the document does
 * not describe fails the test that made it, with the reason, as a failed `.expect()` would.
 * Responses of paths the document has no operation for (unknown routes, the docs pages) pass.
 * Loaded once for every spec by tests/support/hooks.ts.
 */

interface SupertestTest {
  readonly app: Server | string;
  readonly method: string;
  readonly url: string;
}
type Assert = (this: SupertestTest, error: Error | null, res: Response | undefined, fn?: (this: SupertestTest, error: Error | null, res: Response | undefined) => void) => void;

const require = createRequire(import.meta.url);
const Test = require('supertest/lib/test.js') as { prototype: { assert: Assert } };

/** The document of the Express app behind a supertest target: null for a URL or a server that is not ours. */
const documentOf = (target: Server | string): object | null => {
  if (typeof target === 'string') return null;
  const app = target.listeners('request')[0] as { locals?: Record<string, unknown> } | undefined;
  const doc = app?.locals?.['openapi'];
  return typeof doc === 'object' && doc !== null ? doc : null;
};

/** The parsed JSON body, also when a test asked for the raw bytes (a Buffer) or the text. */
const jsonBodyOf = (res: Response): unknown => {
  const raw: unknown = res.body;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw === undefined || (typeof raw === 'object' && raw !== null && Object.keys(raw).length === 0 && res.text) ? res.text : undefined;
  if (text === undefined) return raw;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

export const installConformanceHook = (): void => {
  const original = Test.prototype.assert;
  if ((original as { conformance?: boolean }).conformance) return;
  const assert: Assert = function (this: SupertestTest, error, res, fn) {
    let broken: Error | null = null;
    const doc = res ? documentOf(this.app) : null;
    if (res && doc) {
      const observed = {
        method: this.method,
        path: new URL(this.url).pathname,
        status: res.status,
        headers: res.headers as Record<string, string | string[] | undefined>,
        body: res.type && /json/.test(res.type) ? jsonBodyOf(res) : undefined,
      };
      broken = conformanceError(observed, conformanceOf(doc).check(observed));
    }
    original.call(this, error, res, fn ? function (this: SupertestTest, err, r) { fn.call(this, err ?? broken, r); } : undefined);
  };
  (assert as { conformance?: boolean }).conformance = true;
  Test.prototype.assert = assert;
};
