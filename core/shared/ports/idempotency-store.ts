import * as E from 'fp-ts/lib/Either.js';
import type { DomainError } from '../entities/errors.js';

/**
 * Remembers the response to a request sent with an `Idempotency-Key`, so that a client retrying
 * after a lost answer gets the first response instead of a second side effect.
 *
 * `R` is that response as the adapter holding the key stores it (the HTTP layer's status, body
 * and headers: `adapters/shared/stored-response.ts`). The core only ever hands a ledger on to that
 * adapter's completion and never reads a response, so the port leaves its shape to the adapters;
 * a store must give back, unchanged, the JSON-serialisable value it was given.
 */

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

export type ClaimResult<R = unknown> =
  /** `token` identifies this claim: only its holder can complete or release it. */
  | { readonly kind: 'claimed'; readonly token: string }
  | { readonly kind: 'replay'; readonly response: R }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in_progress' };

/**
 * The keys as a unit of work sees them (`TransactionScope.idempotency`): a response completed
 * there commits with the unit's other writes, or rolls back with them.
 */
export interface IdempotencyLedger<R = unknown> {
  /**
   * Stores the response of a claimed key (replayed until the claim expires). False, storing
   * nothing, when `token` no longer holds the claim (it went stale and another request took it
   * over, or the key expired): inside a unit of work the caller must then roll back its effect.
   */
  complete(scope: string, key: string, token: string, response: R): Promise<boolean>;
}

export interface IdempotencyStore<R = unknown> extends IdempotencyLedger<R> {
  /** Atomically claims the key, or reports what an earlier, unexpired claim of it holds. */
  claim(claim: IdempotencyClaim): Promise<ClaimResult<R>>;
  /** Drops an unfinished claim so that a retry runs again (the request failed); only `token`'s own claim. */
  release(scope: string, key: string, token: string): Promise<void>;
  /** Deletes expired entries; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

/**
 * Handed to a use case by whoever holds a claimed key (the HTTP layer): the use case calls it with
 * its result inside the unit of work of its effect, after the effect's writes, so the effect and
 * the response a retry will replay commit together or not at all. A Left means the claim was lost
 * meanwhile: the use case returns it, which rolls the effect back. The use case never sees what is
 * stored, only that something must be written in its transaction.
 */
export type IdempotentCompletion<T> = (ledger: IdempotencyLedger, result: T) => Promise<E.Either<DomainError, void>>;

/** Runs `completion` (when given) for `result` inside a unit of work; Right(result) or its Left. */
export const completeWithin = async <T>(
  ledger: IdempotencyLedger,
  completion: IdempotentCompletion<T> | undefined,
  result: T,
): Promise<E.Either<DomainError, T>> => {
  if (completion === undefined) return E.right(result);
  const done = await completion(ledger, result);
  return E.isLeft(done) ? done : E.right(result);
};
