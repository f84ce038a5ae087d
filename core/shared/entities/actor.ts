/** An account's role: the one list the HTTP codecs and the repositories read. */
export const ROLES = ['giver', 'taker'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** The authenticated caller a use case acts for. Authorisation rules read this, never HTTP. */
export interface Actor {
  readonly userId: string;
  readonly sessionId: string;
  readonly role: Role;
  /** `is_superuser`: an admin. */
  readonly isAdmin: boolean;
}
