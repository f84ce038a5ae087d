import * as E from 'fp-ts/lib/Either.js';
import type { Clock } from '../../shared/ports/clock.js';
import { unauthenticated, type DomainError } from '../../shared/entities/errors.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { AccessTokens } from '../ports/access-tokens.js';
import type { RefreshTokenCrypto } from '../entities/refresh-token-crypto.js';
import type { SessionSettings } from '../entities/session-settings.js';
import type { TokenPair } from '../entities/token-pair.js';
import type { TokenStore } from '../ports/token-store.js';
import type { UserRepository } from '../ports/user-repository.js';

const INVALID = 'Invalid or expired refresh token';

/** Exchanges a refresh token for a new pair; the presented token is spent. */
export class RotateRefreshToken {
  constructor(
    private readonly store: TokenStore,
    private readonly users: UserRepository,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokenCrypto,
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly settings: SessionSettings,
  ) {}

  async execute(refreshToken: string): Promise<E.Either<DomainError, TokenPair>> {
    const now = this.clock.now();
    const successor = this.refreshTokens.successorOf(refreshToken);
    const result = await this.store.rotate({
      tokenHash: this.refreshTokens.hash(refreshToken),
      successorHash: this.refreshTokens.hash(successor),
      now,
      graceSeconds: this.settings.reuseGraceSeconds,
      idleTimeoutSeconds: this.settings.idleTimeoutSeconds,
    });
    if (result.kind === 'invalid') return E.left(unauthenticated(INVALID));
    if (result.kind === 'reused') {
      // Two parties hold this family (one of them stole it); the store has already ended it.
      const { id, userId } = result.session;
      await this.uow.run(async (scope) => {
        const spec = { type: 'session.reuse_detected', actorId: null, subjectId: userId, data: { session_id: id } };
        return E.right(await scope.events.record(newEvent(this.ids, this.clock, spec)));
      });
      return E.left(unauthenticated(INVALID));
    }
    const user = await this.users.findById(result.session.userId);
    // A session opened under a password that has since changed is over, revoked or not.
    if (user === null || !user.isActive || user.credentialVersion !== result.session.credentialVersion) {
      await this.store.revokeSession(result.session.id, now);
      return E.left(unauthenticated(INVALID));
    }
    const access = await this.accessTokens.issue({ sub: user.id, sid: result.session.id });
    return E.right({ accessToken: access.token, refreshToken: successor, tokenType: 'bearer', expiresIn: access.expiresIn });
  }
}
