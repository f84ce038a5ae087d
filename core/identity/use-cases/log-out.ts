import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { TokenStore } from '../ports/token-store.js';

/**
 * Ends the caller's session: its refresh token family and every access token naming it stop
 * working at once. A refresh token sent along belongs to that same session, so revoking the
 * session covers it; the store is never asked to end another session on a token's say-so.
 */
export class LogOut {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor): Promise<E.Either<DomainError, void>> {
    await this.store.revokeSession(actor.sessionId, this.clock.now());
    return E.right(undefined);
  }
}
