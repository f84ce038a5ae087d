import type { FieldIssue } from '../../shared/entities/errors.js';

/**
 * Field rules shared by every path that writes a user (HTTP, CLI). The HTTP codecs check shapes;
 * these hold the rules so that no entry point can store a user the others would refuse.
 */
export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;
export const USERNAME_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{${USERNAME_MIN_LENGTH - 1},${USERNAME_MAX_LENGTH - 1}}$`);
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const EMAIL_MAX_LENGTH = 254;
export const FULL_NAME_MAX_LENGTH = 255;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export const emailIssues = (email: string, field = 'email'): FieldIssue[] =>
  email.length > EMAIL_MAX_LENGTH || !EMAIL_PATTERN.test(email) ? [{ field, message: 'must be a valid email address' }] : [];

export const usernameIssues = (username: string, field = 'username'): FieldIssue[] =>
  USERNAME_PATTERN.test(username)
    ? []
    : [{ field, message: '3 to 32 letters, digits, ".", "_" or "-", starting with a letter or digit' }];

export const fullNameIssues = (fullName: string | null | undefined, field = 'full_name'): FieldIssue[] =>
  fullName != null && fullName.length > FULL_NAME_MAX_LENGTH
    ? [{ field, message: `must be at most ${FULL_NAME_MAX_LENGTH} characters` }]
    : [];
