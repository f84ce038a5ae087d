import * as E from 'fp-ts/lib/Either.js';
import type { Clock } from '../../shared/ports/clock.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { AccessTokens } from '../ports/access-tokens.js';
import type { RefreshTokenCrypto } from '../entities/refresh-token-crypto.js';
import type { SessionSettings } from '../entities/session-settings.js';
import type { ClientInfo, TokenPair } from '../entities/token-pair.js';
import type { TokenStore } from '../ports/token-store.js';
import type { UserRepository } from '../ports/user-repository.js';
import type { User } from '../entities/user.js';

/** Opens a new session (one login on one device) and hands out its first token pair. */
export class SessionStarter {
  constructor(
    private readonly users: UserRepository,
    private readonly store: TokenStore,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokenCrypto,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly settings: SessionSettings,
    private readonly uow: UnitOfWork,
  ) {}

  /**
   * `user` as it was when its password was verified. Null when that password (or the account)
   * is no longer valid once the session exists: the session is revoked and no token handed out.
   */
  async start(user: User, client: ClientInfo): Promise<TokenPair | null> {
    const now = this.clock.now();
    const refreshToken = this.refreshTokens.generate();
    const session = await this.store.create({
      sessionId: this.ids.next(),
      userId: user.id,
      tokenHash: this.refreshTokens.hash(refreshToken),
      now,
      expiresAt: new Date(now.getTime() + this.settings.absoluteLifetimeSeconds * 1000),
      idleTimeoutSeconds: this.settings.idleTimeoutSeconds,
      userAgent: client.userAgent,
      ip: client.ip,
      // The version the verified password belongs to: a password change commits a higher one, and
      // from then on every request with this session is refused, whatever happens below.
      credentialVersion: user.credentialVersion,
    });
    // Not needed for safety (the version above is), but a login that raced a password change, or
    // the account being disabled or deleted, should say so now rather than hand out tokens that
    // fail on first use. A change that commits after this read is caught by the version.
    const current = await this.users.findById(user.id);
    if (current === null || !current.isActive || current.credentialVersion !== user.credentialVersion) {
      await this.store.revokeSession(session.id, this.clock.now());
      return null;
    }
    try {
      await this.recordStart(user.id, session.id, client);
    } catch (error) {
      // No token leaves without its event: the session is ended rather than left unused.
      await this.store.revokeSession(session.id, this.clock.now()).catch(() => undefined);
      throw error;
    }
    const access = await this.accessTokens.issue({ sub: user.id, sid: session.id });
    return { accessToken: access.token, refreshToken, tokenType: 'bearer', expiresIn: access.expiresIn };
  }

  /**
   * `session.started`, for the audit trail and the account holder's notification. `known_device`:
   * another active session of the user has the same user agent (a new sign-in on a device in use).
   */
  private async recordStart(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    const others = (await this.store.listActive(userId, this.clock.now())).filter((s) => s.id !== sessionId);
    const knownDevice = client.userAgent !== null && others.some((s) => s.userAgent === client.userAgent);
    const data = { session_id: sessionId, user_agent: client.userAgent, ip: client.ip, known_device: knownDevice };
    await this.uow.run(async (scope) => E.right(await scope.events.record(newEvent(this.ids, this.clock, { type: 'session.started', actorId: userId, subjectId: userId, data }))));
  }
}
