import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Request } from 'express';
import type { Actor } from '../../core/shared/actor.js';
import type { Clock } from '../../core/shared/clock.js';
import { conflict, invalidField, type DomainError } from '../../core/shared/errors.js';
import type { IdempotencyStore, StoredResponse } from '../../core/shared/idempotency-store.js';
import { HANDLED, type HeaderDoc, type Reply } from './route.js';

export interface Idempotency {
  readonly store: IdempotencyStore;
  readonly clock: Clock;
  /** How long a key is remembered (the contract says 24 hours). */
  readonly ttlSeconds?: number;
}

export const IDEMPOTENCY_KEY: HeaderDoc = {
  name: 'Idempotency-Key',
  description:
    'Any unique string (1..255 printable ASCII characters, e.g. a UUID). A retry with the same key and body within 24 hours ' +
    'replays the first response (with `Idempotent-Replayed: true`); the same key with another body is a 422.',
};

const KEY = /^[\x21-\x7e]{1,255}$/;
const MISMATCH = invalidField('Idempotency-Key', 'was already used with a different request body');
const DAY = 86_400;
/**
 * An unfinished claim older than this is taken to be a crashed request's and may be taken over.
 * It must outlast any live request, or a slow one and its retry would both act: Node cuts a request
 * whose body has not arrived within `server.requestTimeout` (300 s by default, which the server
 * keeps), and what follows the body (storing, one transaction) takes seconds. Claims also carry an
 * owner token, so even a request that outlived this cannot overwrite or drop its successor's claim.
 */
const STALE_AFTER_SECONDS = 600;

/** Key order must not make two identical bodies differ. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value) ?? 'null';

/**
 * Runs `act` at most once per (caller, operation, Idempotency-Key). Only successful replies are
 * remembered: a failed attempt releases the key so that the retry runs again.
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
  act: () => Promise<E.Either<DomainError, Reply>>,
): Promise<E.Either<DomainError, Reply>> => {
  const key = ctx.req.get('idempotency-key');
  if (idem === undefined || key === undefined) return act();
  if (!KEY.test(key)) return E.left(invalidField('Idempotency-Key', 'must be 1 to 255 printable ASCII characters'));
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
  try {
    const reply = await act();
    if (E.isRight(reply) && reply.right !== HANDLED) {
      await idem.store.complete(scope, key, token, { status: reply.right.status, data: reply.right.data ?? null, headers: reply.right.headers ?? {} });
    } else {
      await idem.store.release(scope, key, token);
    }
    return reply;
  } catch (error) {
    await idem.store.release(scope, key, token).catch(() => undefined);
    throw error;
  }
};
