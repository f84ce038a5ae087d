/**
 * Refresh sessions. A session is one login on one device: a family of refresh tokens where only
 * the newest is current. Only SHA-256 hashes of refresh tokens are ever stored.
 */
export interface RefreshSession {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  /** Absolute end of the session, whatever its use. */
  readonly expiresAt: Date;
  /** End of the session if it is not used again before then (idle timeout). */
  readonly idleExpiresAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly revokedAt: Date | null;
  /** The user's `credentialVersion` the session was opened under: it is refused once they differ. */
  readonly credentialVersion: number;
}

export interface NewRefreshSession {
  readonly sessionId: string;
  readonly userId: string;
  readonly tokenHash: string;
  readonly now: Date;
  readonly expiresAt: Date;
  readonly idleTimeoutSeconds: number;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** The `credentialVersion` of the user as read when the password was verified. */
  readonly credentialVersion: number;
}

export interface RotateRequest {
  /** Hash of the refresh token the client presented. */
  readonly tokenHash: string;
  /** Hash of the successor the caller derived from the presented token (deterministically, so a replay within the grace window derives the same one). */
  readonly successorHash: string;
  readonly now: Date;
  readonly graceSeconds: number;
  readonly idleTimeoutSeconds: number;
}

export type RotateResult =
  /** The presented token was current (or spent within the grace window with this same successor): the successor is now current. */
  | { readonly kind: 'rotated'; readonly session: RefreshSession }
  /** A spent token came back after the grace window: the whole family has been revoked. */
  | { readonly kind: 'reused'; readonly session: RefreshSession }
  /** Unknown token, or its session is revoked, expired or idle-expired. */
  | { readonly kind: 'invalid' };

export interface TokenStore {
  create(session: NewRefreshSession): Promise<RefreshSession>;
  /** Atomic: concurrent rotations of one token leave at most one lineage. */
  rotate(request: RotateRequest): Promise<RotateResult>;
  /** The session when it is neither revoked nor expired (absolute or idle) at `now`. */
  findActive(sessionId: string, now: Date): Promise<RefreshSession | null>;
  listActive(userId: string, now: Date): Promise<readonly RefreshSession[]>;
  revokeSession(sessionId: string, now: Date): Promise<void>;
  /** Ends every session of the user, except `exceptSessionId` when given. */
  revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<void>;
  /**
   * Moves one session to the user's new credential version: the session that changed the password
   * keeps working. Only raises it; a revoked or unknown session is left alone.
   */
  setCredentialVersion(sessionId: string, credentialVersion: number): Promise<void>;
}
