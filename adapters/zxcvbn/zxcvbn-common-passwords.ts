import { dictionary } from '@zxcvbn-ts/language-common';
import type { CommonPasswords } from '../../core/identity/entities/password-policy.js';

let cached: ReadonlySet<string> | undefined;

/**
 * The ~49,000 most common passwords from breach corpora, as shipped (and kept up to date) by
 * zxcvbn-ts. Entries are lower case; the policy lower-cases before asking.
 */
export class ZxcvbnCommonPasswords implements CommonPasswords {
  private readonly list: ReadonlySet<string>;

  constructor() {
    // Decompressing the list takes tens of milliseconds: do it once per process.
    cached ??= new Set(dictionary['passwords-common']);
    this.list = cached;
  }

  includes(password: string): boolean {
    return this.list.has(password.toLowerCase());
  }
}
