import { randomUUID } from 'node:crypto';
import type { ClaimResult, IdempotencyClaim, IdempotencyStore, StoredResponse } from '../../core/shared/idempotency-store.js';

interface Entry {
  readonly token: string;
  readonly requestHash: string;
  readonly claimedAt: number;
  readonly expiresAt: number;
  response: StoredResponse | null;
}

/** Idempotency keys in process memory; each method runs without awaiting, so claims are atomic. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  async claim(c: IdempotencyClaim): Promise<ClaimResult> {
    const id = `${c.scope}\n${c.key}`;
    const now = c.now.getTime();
    const existing = this.entries.get(id);
    const abandoned = existing && existing.response === null && existing.claimedAt + c.staleAfterSeconds * 1000 <= now;
    if (existing && existing.expiresAt > now && !abandoned) {
      if (existing.requestHash !== c.requestHash) return { kind: 'mismatch' };
      return existing.response ? { kind: 'replay', response: existing.response } : { kind: 'in_progress' };
    }
    const token = randomUUID();
    this.entries.set(id, { token, requestHash: c.requestHash, claimedAt: now, expiresAt: c.expiresAt.getTime(), response: null });
    return { kind: 'claimed', token };
  }

  async complete(scope: string, key: string, token: string, response: StoredResponse): Promise<void> {
    const entry = this.entries.get(`${scope}\n${key}`);
    if (entry?.token === token && entry.response === null) entry.response = response;
  }

  async release(scope: string, key: string, token: string): Promise<void> {
    const id = `${scope}\n${key}`;
    const entry = this.entries.get(id);
    if (entry?.token === token && entry.response === null) this.entries.delete(id);
  }

  async purgeExpired(now: Date): Promise<number> {
    let purged = 0;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now.getTime()) {
        this.entries.delete(id);
        purged += 1;
      }
    }
    return purged;
  }
}
