import * as t from 'io-ts';
import type { User } from '../../../core/identity/entities/user.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordLengthIssues } from '../../../core/identity/entities/password-policy.js';
import {
  EMAIL_MAX_LENGTH,
  emailIssues,
  FULL_NAME_MAX_LENGTH,
  normalizeEmail,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PATTERN,
  usernameIssues,
} from '../../../core/identity/entities/user-fields.js';
import { ROLES } from '../../../core/shared/entities/actor.js';
import { boundedString, nullable, oneOf, ruledString, Timestamp, Uuid } from '../codecs.js';
import { documented, withExample } from '../schema-registry.js';

/** The user as every identity route shows it: never the password hash, never the deletion mark. */
export const UserView = t.type({
  id: Uuid,
  email: withExample(t.string, 'ada@example.com'),
  username: withExample(t.string, 'ada_lovelace'),
  full_name: withExample(nullable(t.string), 'Ada Lovelace'),
  role: withExample(t.string, 'taker'),
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

/** The password the examples register and log in with (long enough, not a common one). */
const EXAMPLE_PASSWORD = 'correct horse battery staple';

// The rules themselves live in core/identity, so the CLI and HTTP refuse the same things with the
// same messages; these codecs run them at the edge and state them in the OpenAPI document.
export const Role = oneOf(ROLES, 'Role');
/** An email address being stored: checked trimmed and lower-cased, as it is kept. */
export const EmailField = ruledString(
  'EmailAddress',
  (s) => emailIssues(normalizeEmail(s)),
  { format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'stored trimmed and lower-cased', examples: ['ada@example.com'] },
  'must be a valid email address',
);
export const UsernameField = ruledString(
  'Username',
  (s) => usernameIssues(s),
  { minLength: USERNAME_MIN_LENGTH, maxLength: USERNAME_MAX_LENGTH, pattern: USERNAME_PATTERN.source, examples: ['ada_lovelace'] },
  'must be a username',
);
export const FullNameField = withExample(nullable(boundedString(0, FULL_NAME_MAX_LENGTH, 'FullName')), 'Ada Lovelace');
/** A new password: the length rule here; the account-dependent rules (not common, not the username or email) in the core. */
export const NewPasswordField = ruledString(
  'NewPassword',
  (s) => passwordLengthIssues(s),
  {
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not a commonly used password, not the username or the email; no composition rules`,
    examples: [EXAMPLE_PASSWORD],
  },
  `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
);
/**
 * A password presented to be checked (login, current_password): any length a stored one can have,
 * or an older, shorter one; a wrong one is a 401 or a 422 on the field, never a hint about the policy.
 * The cap keeps hashing cost bounded.
 */
export const PasswordField = withExample(boundedString(1, 1024, 'Password'), EXAMPLE_PASSWORD);
/** What login looks accounts up by: any string within these bounds (a wrong one is the 401 of a failed login). */
export const LoginEmailField = withExample(boundedString(3, EMAIL_MAX_LENGTH, 'LoginEmail'), 'ada@example.com');
export const LoginUsernameField = withExample(boundedString(1, 64, 'LoginUsername'), 'ada_lovelace');
/** In a profile change: needed when users change their own email (the document cannot say "when the email differs"). */
export const CurrentPasswordField = documented(withExample(boundedString(1, 1024, 'CurrentPassword'), EXAMPLE_PASSWORD), {
  extra: { description: 'the caller\'s current password; required when changing one\'s own `email` (422 on `current_password` otherwise)' },
});
