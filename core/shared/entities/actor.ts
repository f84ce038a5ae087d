/** The authenticated caller a use case acts for. Authorisation rules read this, never HTTP. */
export type Role = 'giver' | 'taker';

export interface Actor {
  readonly userId: string;
  readonly sessionId: string;
  readonly role: Role;
  /** `is_superuser`: an admin. */
  readonly isAdmin: boolean;
}
