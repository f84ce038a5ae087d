import type { DomainError, DomainErrorTag } from '../../core/shared/entities/errors.js';

export interface HttpError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly detail?: unknown;
}

/** The one table from a domain error's tag to the contract's status and machine code. */
export const ERROR_TABLE: { readonly [K in DomainErrorTag]: { readonly status: number; readonly code: string } } = {
  NotFound: { status: 404, code: 'NOT_FOUND' },
  Conflict: { status: 409, code: 'CONFLICT' },
  Forbidden: { status: 403, code: 'FORBIDDEN' },
  Unauthenticated: { status: 401, code: 'UNAUTHENTICATED' },
  Validation: { status: 422, code: 'VALIDATION_ERROR' },
  BusinessRule: { status: 409, code: 'CONFLICT' },
  PreconditionFailed: { status: 412, code: 'PRECONDITION_FAILED' },
  TooLarge: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  UnsupportedContent: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  RateLimited: { status: 429, code: 'RATE_LIMITED' },
};

export const toHttpError = (error: DomainError): HttpError => {
  const { status, code } = ERROR_TABLE[error._tag];
  return error._tag === 'Validation'
    ? { status, code, message: error.message, detail: error.issues }
    : { status, code, message: error.message };
};

/**
 * Retry-After on every 503 a dependency causes: a client (or proxy) waits this long rather than
 * hammering. Short, because the clients reconnect on their own within about a second.
 */
export const RETRY_AFTER_SECONDS = 2;

export const BAD_REQUEST = (message: string): HttpError => ({ status: 400, code: 'BAD_REQUEST', message });
export const INTERNAL = (): HttpError => ({ status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' });
export const UNAVAILABLE = (dependency: string): HttpError => ({
  status: 503,
  code: 'SERVICE_UNAVAILABLE',
  message: `A dependency is unavailable (${dependency}); try again shortly`,
});

/**
 * The machine code of each status this API answers: one per status, so the OpenAPI document can
 * pin `error` for every error response it lists.
 */
export const MACHINE_CODES: Readonly<Record<number, string>> = {
  ...Object.fromEntries(Object.values(ERROR_TABLE).map(({ status, code }) => [status, code])),
  400: 'BAD_REQUEST',
  416: 'RANGE_NOT_SATISFIABLE',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};
