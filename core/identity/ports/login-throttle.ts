/** One account as named in a login attempt, from one client address. */
export interface LoginAttemptKey {
  /** The identifier as presented (e.g. `email:ann@example.com`), so throttling reveals nothing about which accounts exist. */
  readonly account: string;
  readonly ip: string | null;
}

/**
 * Slows password guessing. Every attempt spends a point before its password is checked, so
 * concurrent guesses cannot all pass a check made before any of them failed. Two budgets per
 * window: one per account and IP, and a looser one per account alone, so that rotating IPs does
 * not buy unlimited guesses.
 */
export interface LoginThrottle {
  /**
   * Atomically counts an attempt for the key. Seconds until the key may try again when either
   * budget is spent (the attempt must not go ahead); 0 when it may.
   */
  consume(key: LoginAttemptKey): Promise<number>;
  /** After a successful login: forgets the pair's attempts and gives back this attempt's account-wide point. */
  recordSuccess(key: LoginAttemptKey): Promise<void>;
}

export interface LoginThrottleSettings {
  /** Attempts allowed per account and IP within the window (LOGIN_MAX_FAILURES). */
  readonly maxFailures: number;
  /** Attempts allowed per account, from any IPs, within the window. */
  readonly accountMaxFailures: number;
  readonly windowSeconds: number;
}

/** The one definition of the window and of the account-wide budget; only LOGIN_MAX_FAILURES is configurable. */
export const loginThrottleSettings = (maxFailures: number): LoginThrottleSettings => ({
  maxFailures,
  accountMaxFailures: 10 * maxFailures,
  windowSeconds: 15 * 60,
});
