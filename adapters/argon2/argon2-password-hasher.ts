import argon2 from 'argon2';
import type { PasswordHasher } from '../../core/identity/ports/password-hasher.js';

export interface Argon2Settings {
  /** KiB. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id option 2 (m=19 MiB, t=2, p=1). */
export const owaspArgon2Settings: Argon2Settings = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * argon2id. The parameters live in each hash string, so hashes made under older settings keep
 * verifying after the settings change.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  constructor(private readonly settings: Argon2Settings = owaspArgon2Settings) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.settings });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A hash argon2 cannot parse (a migrated or corrupt row) is a failed login, not a crash.
      return false;
    }
  }
}
