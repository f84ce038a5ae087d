import { createHash, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../core/identity/ports/password-hasher.js';

/**
 * For tests only: a salted SHA-256 stand-in so suites that create hundreds of users stay fast.
 * Counts calls, so a test can tell that a path did (or did not) verify a password.
 */
export class FastPasswordHasher implements PasswordHasher {
  hashes = 0;
  verifications = 0;

  async hash(password: string): Promise<string> {
    this.hashes += 1;
    const salt = Math.random().toString(36).slice(2, 10);
    return `fast$${salt}$${this.digest(salt, password)}`;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.verifications += 1;
    const [scheme, salt, digest] = hash.split('$');
    if (scheme !== 'fast' || salt === undefined || digest === undefined) return false;
    const expected = Buffer.from(digest, 'hex');
    const actual = Buffer.from(this.digest(salt, password), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  private digest(salt: string, password: string): string {
    return createHash('sha256').update(`${salt}:${password}`).digest('hex');
  }
}
