import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { unauthenticated, type DomainError } from '../../shared/entities/errors.js';
import type { AccessTokens } from '../ports/access-tokens.js';
import type { TokenStore } from '../ports/token-store.js';
import type { UserRepository } from '../ports/user-repository.js';

/**
 * A valid signature is not enough: the session must still be active, opened under the user's
 * current credential version, and the user still enabled, so logout, password change, disabling
 * and deletion take effect on the very next request. The version is compared between the two
 * reads the request makes anyway (session, user): it costs no extra round trip.
 */
export class AuthenticateAccessToken {
  constructor(
    private readonly accessTokens: AccessTokens,
    private readonly store: TokenStore,
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  async execute(token: string): Promise<E.Either<DomainError, Actor>> {
    const claims = await this.accessTokens.verify(token);
    if (claims === null) return E.left(unauthenticated('Invalid or expired access token'));
    const session = await this.store.findActive(claims.sid, this.clock.now());
    if (session === null || session.userId !== claims.sub) return E.left(unauthenticated('The session has ended'));
    const user = await this.users.findById(claims.sub);
    if (user === null || !user.isActive || user.credentialVersion !== session.credentialVersion) {
      return E.left(unauthenticated('The session has ended'));
    }
    return E.right({ userId: user.id, sessionId: session.id, role: user.role, isAdmin: user.isSuperuser });
  }
}
