import type { FieldIssue } from '../../shared/entities/errors.js';

/** A list of passwords attackers try first (breach corpora). Case-insensitive. */
export interface CommonPasswords {
  includes(password: string): boolean;
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** The length rule alone (code points, so emoji are not penalised): what can be checked without the account. */
export const passwordLengthIssues = (password: string, field = 'password'): FieldIssue[] => {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return [{ field, message: `must be at least ${PASSWORD_MIN_LENGTH} characters` }];
  if (length > PASSWORD_MAX_LENGTH) return [{ field, message: `must be at most ${PASSWORD_MAX_LENGTH} characters` }];
  return [];
};

/**
 * NIST SP 800-63B style: length and a blocklist, no composition rules (they push people towards
 * "Password1!" without adding strength). Length counts code points so emoji are not penalised.
 */
export class PasswordPolicy {
  constructor(private readonly common: CommonPasswords) {}

  check(password: string, owner: { readonly email: string; readonly username: string }, field = 'password'): FieldIssue[] {
    const lengthIssues = passwordLengthIssues(password, field);
    if (lengthIssues.length > 0) return lengthIssues;
    const lowered = password.toLowerCase();
    if (lowered === owner.username.toLowerCase() || lowered === owner.email.toLowerCase()) {
      return [{ field, message: 'must not be the same as the username or email' }];
    }
    if (this.common.includes(lowered)) return [{ field, message: 'is too common; choose a less guessable password' }];
    return [];
  }
}
