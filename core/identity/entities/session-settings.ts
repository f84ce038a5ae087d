/** How long refresh sessions live; see docs/auth.md. */
export interface SessionSettings {
  /** A session ends this long after login, however often it is used (REFRESH_TOKEN_TTL). */
  readonly absoluteLifetimeSeconds: number;
  /** A session ends when no refresh happens for this long. */
  readonly idleTimeoutSeconds: number;
  /** A spent refresh token presented again within this window returns the same successor instead of ending the session. */
  readonly reuseGraceSeconds: number;
}

export const defaultSessionSettings: SessionSettings = {
  absoluteLifetimeSeconds: 30 * 24 * 3600,
  idleTimeoutSeconds: 7 * 24 * 3600,
  reuseGraceSeconds: 10,
};
