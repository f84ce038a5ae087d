import { randomUUID } from 'node:crypto';
import type { ClaimResult, IdempotencyClaim, IdempotencyLedger, IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../shared/stored-response.js';
import type { Snapshottable } from './snapshot.js';

interface Entry {
  readonly token: string;
  readonly requestHash: string;
  readonly claimedAt: number;
  readonly expiresAt: number;
  response: StoredResponse | null;
}

/** Idempotency keys in process memory; each method runs without awaiting, so claims are atomic. */
export class MemoryIdempotencyStore implements IdempotencyStore<StoredResponse> {
  private readonly entries = new Map<string, Entry>();

  /**
   * The member of the memory unit of work's scope. Its rollback undoes only the responses it
   * completed: claims and releases of other requests, made outside any unit of work while this one
   * ran, are not the unit's to undo (a whole-map snapshot would drop them).
   */
  readonly transactional: IdempotencyLedger<StoredResponse> & Snapshottable = ((store) => {
    let journal: { id: string; token: string }[] = [];
    return {
      async complete(scope: string, key: string, token: string, response: StoredResponse): Promise<boolean> {
        const done = await store.complete(scope, key, token, response);
        if (done) journal.push({ id: `${scope}\n${key}`, token });
        return done;
      },
      snapshot(): () => void {
        journal = [];
        return () => {
          for (const { id, token } of journal) {
            const entry = store.entries.get(id);
            if (entry?.token === token) entry.response = null;
          }
          journal = [];
        };
      },
    };
  })(this);

  async claim(c: IdempotencyClaim): Promise<ClaimResult<StoredResponse>> {
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

  async complete(scope: string, key: string, token: string, response: StoredResponse): Promise<boolean> {
    const entry = this.entries.get(`${scope}\n${key}`);
    if (entry?.token !== token || entry.response !== null) return false;
    entry.response = response;
    return true;
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
