import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Request } from 'express';
import type { Actor } from '../../core/shared/entities/actor.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import { conflict, invalidField, type DomainError } from '../../core/shared/entities/errors.js';
import type { IdempotencyStore, IdempotentCompletion } from '../../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../shared/stored-response.js';
import { refineString } from './codecs.js';
import { HANDLED, type HeaderDoc, type Reply } from './route.js';

export interface Idempotency {
  readonly store: IdempotencyStore<StoredResponse>;
  readonly clock: Clock;
  /** How long a key is remembered (the contract says 24 hours). */
  readonly ttlSeconds?: number;
}

const KEY_MAX = 255;
const KEY = new RegExp(`^[\\x21-\\x7e]{1,${KEY_MAX}}$`);
/** 1..255 printable ASCII characters (no spaces): a UUID fits. */
export const IdempotencyKey = refineString(
  'IdempotencyKey',
  (s) => KEY.test(s),
  { minLength: 1, maxLength: KEY_MAX, pattern: KEY.source },
  `must be 1 to ${KEY_MAX} printable ASCII characters`,
);

export const IDEMPOTENCY_KEY: HeaderDoc = {
  name: 'Idempotency-Key',
  schema: IdempotencyKey,
  description:
    'Any unique string (1..255 printable ASCII characters, e.g. a UUID). A retry with the same key and body within 24 hours ' +
    'replays the first response (with `Idempotent-Replayed: true`); the same key with another body is a 422.',
};

const MISMATCH = invalidField('Idempotency-Key', 'was already used with a different request body');
const DAY = 86_400;
/**
 * An unfinished claim older than this is taken to be a crashed request's and may be taken over (a
 * retry before then is a 409). Safety does not rest on it: the response is stored in the unit of
 * work of the effect, and only while the claim is still this request's, so a request that outlived
 * its claim rolls its effect back rather than acting a second time. It only decides how long a
 * crashed request keeps its key busy, and how soon a very slow one may lose it.
 */
const STALE_AFTER_SECONDS = 600;

/**
 * Given to the action: `remember(toReply)` is the completion to pass to the use case, which calls
 * it inside the unit of work of its effect with its result; undefined without a key. A use case
 * that takes none leaves the response to be stored after the action, outside its transaction.
 */
export type Remember = <T>(toReply: (result: T) => Reply) => IdempotentCompletion<T> | undefined;

const noKey: Remember = () => undefined;

const LOST = conflict('This Idempotency-Key was taken over by a newer request meanwhile; retry to get its answer');

const storable = (reply: Exclude<Reply, typeof HANDLED>): StoredResponse => ({
  status: reply.status,
  data: reply.data ?? null,
  headers: reply.headers ?? {},
});

/**
 * Key order must not make two identical bodies differ, and values that serialise themselves (a
 * decoded time is a Date, whose own keys are none) count by what they serialise to.
 */
const canonical = (value: unknown): string =>
  value instanceof Date
    ? JSON.stringify(value.toISOString())
    : Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value) ?? 'null';

/**
 * Runs `act` at most once per (caller, operation, Idempotency-Key). Only successful replies are
 * remembered: a failed attempt releases the key so that the retry runs again. The action passes
 * `remember(toReply)` to its use case, so that the reply is stored in the same unit of work as the
 * effect: a retry at any later time then replays it, or finds no effect at all.
 */
export const idempotent = async (
  idem: Idempotency | undefined,
  ctx: {
    readonly actor: Actor;
    readonly req: Request;
    readonly body: unknown;
    /**
     * For bodies that cannot be hashed up front (a streamed upload, whose `body` here is only its
     * length): confirms a replay against the stored response once the body has been read, or
     * refuses the request outright (a Left, answered as is).
     */
    readonly confirmReplay?: (stored: StoredResponse) => Promise<E.Either<DomainError, boolean>>;
  },
  operation: string,
  act: (remember: Remember) => Promise<E.Either<DomainError, Reply>>,
): Promise<E.Either<DomainError, Reply>> => {
  const key = ctx.req.get('idempotency-key');
  if (idem === undefined || key === undefined) return act(noKey);
  if (!IdempotencyKey.is(key)) return E.left(invalidField('Idempotency-Key', `must be 1 to ${KEY_MAX} printable ASCII characters`));
  const scope = `${ctx.actor.userId}:${operation}`;
  const now = idem.clock.now();
  const claim = await idem.store.claim({
    scope,
    key,
    requestHash: createHash('sha256').update(canonical(ctx.body)).digest('hex'),
    now,
    expiresAt: new Date(now.getTime() + (idem.ttlSeconds ?? DAY) * 1000),
    staleAfterSeconds: STALE_AFTER_SECONDS,
  });
  switch (claim.kind) {
    case 'mismatch':
      return E.left(MISMATCH);
    case 'in_progress':
      return E.left(conflict('A request with this Idempotency-Key is still being processed; retry shortly'));
    case 'replay':
      if (ctx.confirmReplay) {
        const confirmed = await ctx.confirmReplay(claim.response);
        if (E.isLeft(confirmed)) return confirmed;
        if (!confirmed.right) return E.left(MISMATCH);
      }
      return E.right({ ...claim.response, headers: { ...claim.response.headers, 'Idempotent-Replayed': 'true' } });
    case 'claimed':
      break;
  }
  const { token } = claim;
  // Set once the use case stored the reply in its unit of work (which then committed, if the action succeeds).
  let storedWithEffect = false;
  const remember: Remember = (toReply) => async (ledger, result) => {
    const reply = toReply(result);
    if (reply === HANDLED) return E.right(undefined);
    if (!(await ledger.complete(scope, key, token, storable(reply)))) return E.left(LOST);
    storedWithEffect = true;
    return E.right(undefined);
  };
  try {
    const reply = await act(remember);
    if (E.isRight(reply) && reply.right !== HANDLED) {
      // Not atomic with the effect: only for actions whose use case takes no completion.
      if (!storedWithEffect) await idem.store.complete(scope, key, token, storable(reply.right));
    } else {
      await idem.store.release(scope, key, token);
    }
    return reply;
  } catch (error) {
    await idem.store.release(scope, key, token).catch(() => undefined);
    throw error;
  }
};
