import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import type { PasswordHasher } from '../../core/identity/ports/password-hasher.js';
import { BoundedSlots, type SlotSettings } from './bounded-slots.js';

export interface Argon2Settings {
  /** KiB. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id option 2 (m=19 MiB, t=2, p=1). */
export const owaspArgon2Settings: Argon2Settings = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** Hashes and verifications at once: one per core, so the event loop is not left to compete with libuv's 4 pool threads on a small machine. */
export const defaultHashConcurrency = (): number => availableParallelism();

/** Waiting hashes beyond which a hash or verification is refused with 503 (PASSWORD_HASH_MAX_WAITING). */
export const DEFAULT_HASH_MAX_WAITING = 64;

/**
 * argon2id. The parameters live in each hash string, so hashes made under older settings keep
 * verifying after the settings change. Hashes and verifications share `slots` (a bounded FIFO
 * queue): when it is full they throw DependencyUnavailableError('password hashing'), a 503.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly slots: BoundedSlots;

  constructor(
    private readonly settings: Argon2Settings = owaspArgon2Settings,
    slots: BoundedSlots | SlotSettings = { concurrency: defaultHashConcurrency(), maxWaiting: DEFAULT_HASH_MAX_WAITING },
  ) {
    this.slots = slots instanceof BoundedSlots ? slots : new BoundedSlots('password hashing', slots);
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2.hash(password, { type: argon2.argon2id, ...this.settings }));
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.slots.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        // A hash argon2 cannot parse (a migrated or corrupt row) is a failed login, not a crash.
        return false;
      }
    });
  }
}
