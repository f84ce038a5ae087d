import * as t from 'io-ts';
import type { User } from '../../../core/identity/user.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordLengthIssues } from '../../../core/identity/password-policy.js';
import {
  EMAIL_MAX_LENGTH,
  emailIssues,
  FULL_NAME_MAX_LENGTH,
  normalizeEmail,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PATTERN,
  usernameIssues,
} from '../../../core/identity/user-fields.js';
import { boundedString, nullable, oneOf, ruledString, Timestamp, Uuid } from '../codecs.js';
import { documented } from '../schema-registry.js';

/** The user as every identity route shows it: never the password hash, never the deletion mark. */
export const UserView = t.type({
  id: Uuid,
  email: t.string,
  username: t.string,
  full_name: nullable(t.string),
  role: t.string,
  is_active: t.boolean,
  is_superuser: t.boolean,
  is_verified: t.boolean,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const userView = (u: User): t.TypeOf<typeof UserView> => ({
  id: u.id,
  email: u.email,
  username: u.username,
  full_name: u.fullName,
  role: u.role,
  is_active: u.isActive,
  is_superuser: u.isSuperuser,
  is_verified: u.isVerified,
  created_at: u.createdAt.toISOString(),
  updated_at: u.updatedAt.toISOString(),
});

// The rules themselves live in core/identity, so the CLI and HTTP refuse the same things with the
// same messages; these codecs run them at the edge and state them in the OpenAPI document.
export const Role = oneOf(['giver', 'taker'], 'Role');
/** An email address being stored: checked trimmed and lower-cased, as it is kept. */
export const EmailField = ruledString(
  'EmailAddress',
  (s) => emailIssues(normalizeEmail(s)),
  { format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'stored trimmed and lower-cased' },
  'must be a valid email address',
);
export const UsernameField = ruledString(
  'Username',
  (s) => usernameIssues(s),
  { minLength: USERNAME_MIN_LENGTH, maxLength: USERNAME_MAX_LENGTH, pattern: USERNAME_PATTERN.source },
  'must be a username',
);
export const FullNameField = nullable(boundedString(0, FULL_NAME_MAX_LENGTH, 'FullName'));
/** A new password: the length rule here; the account-dependent rules (not common, not the username or email) in the core. */
export const NewPasswordField = ruledString(
  'NewPassword',
  (s) => passwordLengthIssues(s),
  {
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not a commonly used password, not the username or the email; no composition rules`,
  },
  `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
);
/**
 * A password presented to be checked (login, current_password): any length a stored one can have,
 * or an older, shorter one; a wrong one is a 401 or a 422 on the field, never a hint about the policy.
 * The cap keeps hashing cost bounded.
 */
export const PasswordField = boundedString(1, 1024, 'Password');
/** What login looks accounts up by: any string within these bounds (a wrong one is the 401 of a failed login). */
export const LoginEmailField = boundedString(3, EMAIL_MAX_LENGTH, 'LoginEmail');
export const LoginUsernameField = boundedString(1, 64, 'LoginUsername');
/** In a profile change: needed when users change their own email (the document cannot say "when the email differs"). */
export const CurrentPasswordField = documented(boundedString(1, 1024, 'CurrentPassword'), {
  extra: { description: 'the caller\'s current password; required when changing one\'s own `email` (422 on `current_password` otherwise)' },
});
