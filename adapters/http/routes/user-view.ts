import * as t from 'io-ts';
import type { User } from '../../../core/identity/entities/user.js';
import { boundedString, nullable, oneOf } from '../codecs.js';

/** The user as every identity route shows it: never the password hash, never the deletion mark. */
export const UserView = t.type({
  id: t.string,
  email: t.string,
  username: t.string,
  full_name: nullable(t.string),
  role: t.string,
  is_active: t.boolean,
  is_superuser: t.boolean,
  is_verified: t.boolean,
  created_at: t.string,
  updated_at: t.string,
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

// Shapes only: the rules (username pattern, email form, password policy) live in core/identity so
// the CLI and HTTP refuse the same things with the same messages.
export const Role = oneOf(['giver', 'taker'], 'Role');
export const EmailField = boundedString(3, 254, 'EmailAddress');
export const UsernameField = boundedString(1, 64, 'Username');
export const FullNameField = nullable(boundedString(0, 255, 'FullName'));
/** Long enough for any password the policy accepts; the cap keeps hashing cost bounded. */
export const PasswordField = boundedString(1, 1024, 'Password');
