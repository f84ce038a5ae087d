import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { unauthenticated, type DomainError } from '../../shared/entities/errors.js';
import type { AccessTokens } from '../ports/access-tokens.js';
import { SeparateSessionLookup, type SessionLookup } from '../ports/session-lookup.js';
import type { TokenStore } from '../ports/token-store.js';
import type { User } from '../entities/user.js';
import type { UserRepository } from '../ports/user-repository.js';

export interface Authenticated {
  readonly actor: Actor;
  /** The user as read for this authentication. */
  readonly user: User;
}

/**
 * A valid signature is not enough: the session must still be active, opened under the user's
 * current credential version, and the user still enabled, so logout, password change, disabling
 * and deletion take effect on the very next request. Session and user are looked up on every
 * request, together, as their stores hold them now (one statement when the database holds both,
 * none when the embedded engine proves nothing was written since; see SessionLookup).
 */
export class AuthenticateAccessToken {
  private readonly lookup: SessionLookup;

  constructor(
    private readonly accessTokens: AccessTokens,
    store: TokenStore,
    users: UserRepository,
    private readonly clock: Clock,
    lookup?: SessionLookup,
  ) {
    this.lookup = lookup ?? new SeparateSessionLookup(store, users);
  }

  async execute(token: string): Promise<E.Either<DomainError, Actor>> {
    return E.map((a: Authenticated) => a.actor)(await this.executeWithUser(token));
  }

  /** The actor and the user row it was checked against (a request that shows the caller's profile needs no second read of it). */
  async executeWithUser(token: string): Promise<E.Either<DomainError, Authenticated>> {
    const claims = await this.accessTokens.verify(token);
    if (claims === null) return E.left(unauthenticated('Invalid or expired access token'));
    const found = await this.lookup.findActiveWithUser(claims.sid, claims.sub, this.clock.now());
    if (found === null || found.session.userId !== claims.sub) return E.left(unauthenticated('The session has ended'));
    const { session, user } = found;
    if (user === null || user.id !== claims.sub || !user.isActive || user.credentialVersion !== session.credentialVersion) {
      return E.left(unauthenticated('The session has ended'));
    }
    return E.right({ actor: { userId: user.id, sessionId: session.id, role: user.role, isAdmin: user.isSuperuser }, user });
  }
}
