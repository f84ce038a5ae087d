import type {
  NewRefreshSession,
  RefreshSession,
  RotateRequest,
  RotateResult,
  TokenStore,
} from '../../core/identity/ports/token-store.js';

interface StoredToken {
  readonly sessionId: string;
  /** Set once the token has been exchanged: it is no longer current. */
  spent: { readonly at: number; readonly successorHash: string } | null;
}

interface StoredSession {
  id: string;
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  idleExpiresAt: number;
  userAgent: string | null;
  ip: string | null;
  revokedAt: number | null;
  credentialVersion: number;
}

const isActive = (s: StoredSession, now: number): boolean =>
  s.revokedAt === null && now < s.expiresAt && now < s.idleExpiresAt;

const toSession = (s: StoredSession): RefreshSession => ({
  id: s.id,
  userId: s.userId,
  createdAt: new Date(s.createdAt),
  lastUsedAt: new Date(s.lastUsedAt),
  expiresAt: new Date(s.expiresAt),
  idleExpiresAt: new Date(s.idleExpiresAt),
  userAgent: s.userAgent,
  ip: s.ip,
  revokedAt: s.revokedAt === null ? null : new Date(s.revokedAt),
  credentialVersion: s.credentialVersion,
});

/**
 * Sessions and token hashes in process memory. Every method runs synchronously between awaits,
 * so each one is atomic with respect to the others (the rotation guarantee comes for free).
 * Nothing is ever evicted: meant for tests and throwaway demos.
 */
export class MemoryTokenStore implements TokenStore {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly tokens = new Map<string, StoredToken>();

  async create(n: NewRefreshSession): Promise<RefreshSession> {
    const now = n.now.getTime();
    const expiresAt = n.expiresAt.getTime();
    const session: StoredSession = {
      id: n.sessionId,
      userId: n.userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
      idleExpiresAt: Math.min(now + n.idleTimeoutSeconds * 1000, expiresAt),
      userAgent: n.userAgent,
      ip: n.ip,
      revokedAt: null,
      credentialVersion: n.credentialVersion,
    };
    this.sessions.set(session.id, session);
    this.tokens.set(n.tokenHash, { sessionId: session.id, spent: null });
    return toSession(session);
  }

  async rotate(r: RotateRequest): Promise<RotateResult> {
    const now = r.now.getTime();
    const token = this.tokens.get(r.tokenHash);
    const session = token && this.sessions.get(token.sessionId);
    if (!token || !session || !isActive(session, now)) return { kind: 'invalid' };

    if (token.spent === null) {
      token.spent = { at: now, successorHash: r.successorHash };
      this.tokens.set(r.successorHash, { sessionId: session.id, spent: null });
      session.lastUsedAt = now;
      session.idleExpiresAt = Math.min(now + r.idleTimeoutSeconds * 1000, session.expiresAt);
      return { kind: 'rotated', session: toSession(session) };
    }
    // A client retrying a refresh whose answer it lost derives the same successor: hand it back.
    const withinGrace = now - token.spent.at <= r.graceSeconds * 1000;
    if (withinGrace && token.spent.successorHash === r.successorHash) {
      return { kind: 'rotated', session: toSession(session) };
    }
    session.revokedAt = now;
    return { kind: 'reused', session: toSession(session) };
  }

  async findActive(sessionId: string, now: Date): Promise<RefreshSession | null> {
    const session = this.sessions.get(sessionId);
    return session && isActive(session, now.getTime()) ? toSession(session) : null;
  }

  async listActive(userId: string, now: Date): Promise<readonly RefreshSession[]> {
    return [...this.sessions.values()]
      .filter((s) => s.userId === userId && isActive(s, now.getTime()))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map(toSession);
  }

  async revokeSession(sessionId: string, now: Date): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (session && session.revokedAt === null) session.revokedAt = now.getTime();
  }

  async revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<void> {
    for (const s of this.sessions.values()) {
      if (s.userId === userId && s.id !== exceptSessionId && s.revokedAt === null) s.revokedAt = now.getTime();
    }
  }

  async setCredentialVersion(sessionId: string, credentialVersion: number): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (session && session.revokedAt === null && session.credentialVersion < credentialVersion) session.credentialVersion = credentialVersion;
  }
}
