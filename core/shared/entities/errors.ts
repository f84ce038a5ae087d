/**
 * Expected failures are values: a use case returns Either<DomainError, T>.
 * The HTTP adapter maps each tag to one status and machine code (adapters/http/error-mapper.ts).
 */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export type DomainError =
  | { readonly _tag: 'NotFound'; readonly message: string }
  | { readonly _tag: 'Conflict'; readonly message: string }
  | { readonly _tag: 'Forbidden'; readonly message: string }
  | { readonly _tag: 'Unauthenticated'; readonly message: string }
  | { readonly _tag: 'Validation'; readonly message: string; readonly issues: readonly FieldIssue[] }
  | { readonly _tag: 'BusinessRule'; readonly message: string }
  | { readonly _tag: 'PreconditionFailed'; readonly message: string }
  | { readonly _tag: 'TooLarge'; readonly message: string }
  | { readonly _tag: 'UnsupportedContent'; readonly message: string }
  | { readonly _tag: 'RateLimited'; readonly message: string; readonly retryAfterSeconds: number };

export type DomainErrorTag = DomainError['_tag'];

export const notFound = (message = 'Resource not found'): DomainError => ({ _tag: 'NotFound', message });
export const conflict = (message: string): DomainError => ({ _tag: 'Conflict', message });
export const forbidden = (message = 'Not allowed'): DomainError => ({ _tag: 'Forbidden', message });
export const unauthenticated = (message = 'Not authenticated'): DomainError => ({
  _tag: 'Unauthenticated',
  message,
});
export const validation = (issues: readonly FieldIssue[], message = 'Validation failed'): DomainError => ({
  _tag: 'Validation',
  message,
  issues,
});
/** A single-field validation failure. */
export const invalidField = (field: string, message: string): DomainError => validation([{ field, message }]);
/** The request is well formed but the current state of the world forbids it (e.g. an invalid transition). */
export const businessRule = (message: string): DomainError => ({ _tag: 'BusinessRule', message });
export const preconditionFailed = (message = 'The resource has changed; reload it and retry'): DomainError => ({
  _tag: 'PreconditionFailed',
  message,
});
export const tooLarge = (message: string): DomainError => ({ _tag: 'TooLarge', message });
export const unsupportedContent = (message: string): DomainError => ({ _tag: 'UnsupportedContent', message });
export const rateLimited = (retryAfterSeconds: number, message = 'Too many attempts'): DomainError => ({
  _tag: 'RateLimited',
  message,
  retryAfterSeconds,
});

/**
 * Outages are not expected failures: adapters throw this when a dependency (database, Redis,
 * object store, queue) cannot be reached, and the HTTP adapter answers 503.
 */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is unavailable`, options);
  }
}
