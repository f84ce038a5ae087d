import type { RefreshSession, TokenStore } from './token-store.js';
import type { User } from '../entities/user.js';
import type { UserRepository } from './user-repository.js';

/** What authenticating one request reads: the session and its user, both as stored right now. */
export interface SessionWithUser {
  readonly session: RefreshSession;
  /** Null when the user is gone (deleted). */
  readonly user: User | null;
}

/**
 * The read every authenticated request makes. Both halves are what their stores hold at the time
 * of the call (read on every call, or a copy an adapter can prove is unchanged, never one that
 * merely has not expired yet), so a revoked session, a disabled user or a changed password is seen
 * on the very next request, on any replica. An adapter whose store holds both (the database when it also
 * keeps the sessions) answers in one statement; otherwise {@link SeparateSessionLookup} asks both
 * stores at once.
 */
export interface SessionLookup {
  /** The session when it is active at `now` (as `TokenStore.findActive`), with user `userId` (as `UserRepository.findById`). */
  findActiveWithUser(sessionId: string, userId: string, now: Date): Promise<SessionWithUser | null>;
}

/** Two stores, two reads, sent together: one round trip of latency instead of two. */
export class SeparateSessionLookup implements SessionLookup {
  constructor(
    private readonly store: TokenStore,
    private readonly users: UserRepository,
  ) {}

  async findActiveWithUser(sessionId: string, userId: string, now: Date): Promise<SessionWithUser | null> {
    const [session, user] = await Promise.all([this.store.findActive(sessionId, now), this.users.findById(userId)]);
    return session === null ? null : { session, user };
  }
}
