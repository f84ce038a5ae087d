import type { Role } from '../../shared/entities/actor.js';

export interface User {
  readonly id: string;
  /** Stored lower-cased; unique among users that are not deleted. */
  readonly email: string;
  /** Unique (case-insensitively) among users that are not deleted. */
  readonly username: string;
  readonly fullName: string | null;
  readonly role: Role;
  readonly isActive: boolean;
  readonly isSuperuser: boolean;
  readonly isVerified: boolean;
  readonly passwordHash: string;
  /**
   * Raised whenever the password changes (and when the account is disabled). Every session carries
   * the version it was opened under and is refused once the two differ, whatever the session store
   * did with the revocations.
   */
  readonly credentialVersion: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
}
