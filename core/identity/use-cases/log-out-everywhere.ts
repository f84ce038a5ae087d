import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { TokenStore } from '../ports/token-store.js';

/** Ends every session of the caller, the current one included. */
export class LogOutEverywhere {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor): Promise<E.Either<DomainError, void>> {
    await this.store.revokeAllForUser(actor.userId, this.clock.now());
    return E.right(undefined);
  }
}
