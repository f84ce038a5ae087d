/**
 * Remembers the response to a request sent with an `Idempotency-Key`, so that a client retrying
 * after a lost answer gets the first response instead of a second side effect.
 */
export interface StoredResponse {
  readonly status: number;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IdempotencyClaim {
  /** Whose key it is and for which operation, e.g. `<user id>:POST /records`: keys never collide across users. */
  readonly scope: string;
  readonly key: string;
  /** A hash of the request body: the same key with another body is a client bug, not a retry. */
  readonly requestHash: string;
  readonly now: Date;
  readonly expiresAt: Date;
  /**
   * A claim left unfinished this long may be taken over: it must exceed the longest a live request
   * can run, or a slow request and its retry would both act.
   */
  readonly staleAfterSeconds: number;
}

export type ClaimResult =
  /** `token` identifies this claim: only its holder can complete or release it. */
  | { readonly kind: 'claimed'; readonly token: string }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in_progress' };

export interface IdempotencyStore {
  /** Atomically claims the key, or reports what an earlier, unexpired claim of it holds. */
  claim(claim: IdempotencyClaim): Promise<ClaimResult>;
  /**
   * Stores the response of a claimed key (replayed until the claim expires). Does nothing when
   * `token` no longer holds the claim (it went stale and another request took it over).
   */
  complete(scope: string, key: string, token: string, response: StoredResponse): Promise<void>;
  /** Drops an unfinished claim so that a retry runs again (the request failed); only `token`'s own claim. */
  release(scope: string, key: string, token: string): Promise<void>;
  /** Deletes expired entries; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}
