import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { TokenStore } from '../ports/token-store.js';

export interface SessionView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** The session the request was made with. */
  readonly current: boolean;
}

/**
 * The caller's active sessions, newest first. A session opened under an older credential version
 * (a password change the store failed to revoke it for) is refused on use, so it is not listed:
 * the caller's own session, just authenticated, carries the current version.
 */
export class ListSessions {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor): Promise<E.Either<DomainError, readonly SessionView[]>> {
    const sessions = await this.store.listActive(actor.userId, this.clock.now());
    const current = sessions.find((s) => s.id === actor.sessionId)?.credentialVersion ?? Math.max(0, ...sessions.map((s) => s.credentialVersion));
    return E.right(
      sessions
        .filter((s) => s.credentialVersion === current)
        .map((s) => ({
          id: s.id,
          createdAt: s.createdAt,
          lastUsedAt: s.lastUsedAt,
          userAgent: s.userAgent,
          ip: s.ip,
          current: s.id === actor.sessionId,
        })),
    );
  }
}
