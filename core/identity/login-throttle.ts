/** One account as named in a login attempt, from one client address. */
export interface LoginAttemptKey {
  /** The identifier as presented (e.g. `email:ann@example.com`), so throttling reveals nothing about which accounts exist. */
  readonly account: string;
  readonly ip: string | null;
}

/** Slows password guessing: too many failures for one key within a window block that key. */
export interface LoginThrottle {
  /** Seconds until the key may try again; 0 when an attempt is allowed now. */
  check(key: LoginAttemptKey): Promise<number>;
  recordFailure(key: LoginAttemptKey): Promise<void>;
  /** Forgets the failures after a successful login. */
  reset(key: LoginAttemptKey): Promise<void>;
}

export interface LoginThrottleSettings {
  /** Failures allowed within the window (LOGIN_MAX_FAILURES). */
  readonly maxFailures: number;
  readonly windowSeconds: number;
}

/** The one definition of the window; only the failure count is configurable (LOGIN_MAX_FAILURES). */
export const loginThrottleSettings = (maxFailures: number): LoginThrottleSettings => ({ maxFailures, windowSeconds: 15 * 60 });
