import type { ResponseHeaderDoc } from './route.js';

/**
 * The headers routes set on purpose, as the OpenAPI document declares them on the responses that
 * carry them (X-Request-ID, X-Process-Time, RateLimit-*, Retry-After and WWW-Authenticate are
 * added by openapi.ts wherever they apply).
 */
export const ETAG: ResponseHeaderDoc = { description: 'The version as a strong entity tag, e.g. `"3"`: send it back as If-Match', required: true };
export const LOCATION: ResponseHeaderDoc = { description: 'The path of what was created', required: true };
export const IDEMPOTENT_REPLAYED: ResponseHeaderDoc = {
  description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
};
export const NO_STORE: Readonly<Record<string, ResponseHeaderDoc>> = {
  'Cache-Control': { description: '`no-store`: tokens must not be cached (RFC 6749 §5.1)', required: true },
  Pragma: { description: '`no-cache`, for HTTP/1.0 caches', required: true },
};

/** What a download carries: a safe attachment name, range support, no caching. */
export const DOWNLOAD: Readonly<Record<string, ResponseHeaderDoc>> = {
  'Content-Disposition': { description: '`attachment` with an ASCII `filename` and the real name in `filename*` (RFC 6266)', required: true },
  'Accept-Ranges': { description: '`bytes`', required: true },
  'Cache-Control': { description: '`private, no-store`', required: true },
};
export const CONTENT_RANGE: ResponseHeaderDoc = { description: 'The range sent and the full size, e.g. `bytes 0-1023/4096`', required: true };
export const UNSATISFIED_RANGE: ResponseHeaderDoc = { description: 'The full size, e.g. `bytes */4096`', required: true };
