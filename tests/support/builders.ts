import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '../../core/shared/entities/actor.js';
import type { DomainError } from '../../core/shared/entities/errors.js';

/** An authenticated caller (a taker unless told otherwise). */
export const anActor = (overrides: Partial<Actor> = {}): Actor => ({
  userId: uuidv7(),
  sessionId: uuidv7(),
  role: 'taker',
  isAdmin: false,
  ...overrides,
});

/** The value of a Right, or a failed test naming the Left. */
export const right = <T>(e: E.Either<DomainError, T>): T => {
  if (E.isLeft(e)) expect.fail(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

/** The error of a Left, or a failed test naming the Right. */
export const left = <T>(e: E.Either<DomainError, T>): DomainError => {
  if (E.isRight(e)) expect.fail(`expected Right to be a Left, got ${JSON.stringify(e.right)}`);
  return e.left;
};
