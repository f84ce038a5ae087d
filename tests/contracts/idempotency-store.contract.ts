import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { IdempotencyClaim, IdempotencyStore } from '../../core/shared/idempotency-store.js';

export interface IdempotencyStoreFixture {
  readonly store: IdempotencyStore;
  close?(): Promise<void>;
}

const T0 = new Date('2031-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const DAY = 86_400;
const RESPONSE = { status: 201, data: { id: 'r1', nested: { ok: true } }, headers: { ETag: '"1"', Location: '/api/v1/records/r1' } };

/** The behaviour every IdempotencyStore adapter shares; each test uses its own scope. */
export const idempotencyStoreContract = (name: string, setup: (ctx: Mocha.Context) => Promise<IdempotencyStoreFixture>): void => {
  describe(`IdempotencyStore contract: ${name}`, function () {
    let fixture: IdempotencyStoreFixture | undefined;
    let store: IdempotencyStore;
    before(async function () {
      fixture = await setup(this);
      store = fixture.store;
    });
    after(async () => fixture?.close?.());

    const aClaim = (overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
      scope: `${uuidv7()}:POST /records`,
      key: 'key-1',
      requestHash: 'a'.repeat(64),
      now: T0,
      expiresAt: at(DAY),
      staleAfterSeconds: 60,
      ...overrides,
    });

    it('claims a new key, reports it in progress, then replays the stored response', async () => {
      const c = aClaim();
      expect(await store.claim(c)).to.deep.equal({ kind: 'claimed' });
      expect(await store.claim({ ...c, now: at(1) })).to.deep.equal({ kind: 'in_progress' });
      await store.complete(c.scope, c.key, RESPONSE);
      expect(await store.claim({ ...c, now: at(3600) })).to.deep.equal({ kind: 'replay', response: RESPONSE });
    });

    it('reports a mismatch for the same key with another body', async () => {
      const c = aClaim();
      await store.claim(c);
      await store.complete(c.scope, c.key, RESPONSE);
      expect(await store.claim({ ...c, requestHash: 'b'.repeat(64) })).to.deep.equal({ kind: 'mismatch' });
    });

    it('keeps scopes apart: the same key of another caller is a new claim', async () => {
      const c = aClaim();
      await store.claim(c);
      expect(await store.claim({ ...c, scope: `${uuidv7()}:POST /records` })).to.deep.equal({ kind: 'claimed' });
    });

    it('forgets a key once it expires', async () => {
      const c = aClaim();
      await store.claim(c);
      await store.complete(c.scope, c.key, RESPONSE);
      expect((await store.claim({ ...c, now: at(DAY - 1) })).kind).to.equal('replay');
      expect(await store.claim({ ...c, requestHash: 'c'.repeat(64), now: at(DAY), expiresAt: at(2 * DAY) })).to.deep.equal({ kind: 'claimed' });
    });

    it('lets a released or abandoned claim be taken again, but never a completed one', async () => {
      const c = aClaim();
      await store.claim(c);
      await store.release(c.scope, c.key);
      expect(await store.claim({ ...c, now: at(1) })).to.deep.equal({ kind: 'claimed' });
      expect(await store.claim({ ...c, now: at(30) })).to.deep.equal({ kind: 'in_progress' });
      expect(await store.claim({ ...c, now: at(61) })).to.deep.equal({ kind: 'claimed' });
      await store.complete(c.scope, c.key, RESPONSE);
      await store.release(c.scope, c.key);
      expect((await store.claim({ ...c, now: at(3600) })).kind).to.equal('replay');
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const c = aClaim();
      const results = await Promise.all(Array.from({ length: 8 }, () => store.claim(c)));
      expect(results.filter((r) => r.kind === 'claimed')).to.have.length(1);
      expect(results.filter((r) => r.kind === 'in_progress')).to.have.length(7);
    });

    it('purges expired keys only', async () => {
      const live = aClaim({ expiresAt: at(10_000 * DAY) });
      const old = aClaim({ expiresAt: at(10) });
      await store.claim(live);
      await store.complete(live.scope, live.key, RESPONSE);
      await store.claim(old);
      expect(await store.purgeExpired(at(9_000 * DAY))).to.be.at.least(1);
      expect((await store.claim({ ...live, now: at(9_000 * DAY) })).kind).to.equal('replay');
      expect((await store.claim({ ...old, requestHash: 'd'.repeat(64), now: at(9_000 * DAY), expiresAt: at(9_001 * DAY) })).kind).to.equal('claimed');
    });
  });
};
