import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { ClaimResult, IdempotencyClaim, IdempotencyStore } from '../../core/shared/idempotency-store.js';

export interface IdempotencyStoreFixture {
  readonly store: IdempotencyStore;
  close?(): Promise<void>;
}

const T0 = new Date('2031-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const DAY = 86_400;
const tokenOf = (result: ClaimResult): string => {
  if (result.kind !== 'claimed') expect.fail(`expected the key to be claimed, got ${result.kind}`);
  return result.token;
};
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
      const token = tokenOf(await store.claim(c));
      expect(await store.claim({ ...c, now: at(1) })).to.deep.equal({ kind: 'in_progress' });
      await store.complete(c.scope, c.key, token, RESPONSE);
      expect(await store.claim({ ...c, now: at(3600) })).to.deep.equal({ kind: 'replay', response: RESPONSE });
    });

    it('reports a mismatch for the same key with another body', async () => {
      const c = aClaim();
      await store.complete(c.scope, c.key, tokenOf(await store.claim(c)), RESPONSE);
      expect(await store.claim({ ...c, requestHash: 'b'.repeat(64) })).to.deep.equal({ kind: 'mismatch' });
    });

    it('keeps scopes apart: the same key of another caller is a new claim', async () => {
      const c = aClaim();
      await store.claim(c);
      expect((await store.claim({ ...c, scope: `${uuidv7()}:POST /records` })).kind).to.equal('claimed');
    });

    it('forgets a key once it expires', async () => {
      const c = aClaim();
      await store.complete(c.scope, c.key, tokenOf(await store.claim(c)), RESPONSE);
      expect((await store.claim({ ...c, now: at(DAY - 1) })).kind).to.equal('replay');
      expect((await store.claim({ ...c, requestHash: 'c'.repeat(64), now: at(DAY), expiresAt: at(2 * DAY) })).kind).to.equal('claimed');
    });

    it('lets a released or abandoned claim be taken again, but never a completed one', async () => {
      const c = aClaim();
      await store.release(c.scope, c.key, tokenOf(await store.claim(c)));
      tokenOf(await store.claim({ ...c, now: at(1) }));
      expect(await store.claim({ ...c, now: at(30) })).to.deep.equal({ kind: 'in_progress' });
      const taken = tokenOf(await store.claim({ ...c, now: at(61) }));
      await store.complete(c.scope, c.key, taken, RESPONSE);
      await store.release(c.scope, c.key, taken);
      expect((await store.claim({ ...c, now: at(3600) })).kind).to.equal('replay');
    });

    it('keeps a taken-over claim from the stale owner: its late complete or release changes nothing', async () => {
      const c = aClaim();
      const first = tokenOf(await store.claim(c));
      // The first request is still running (a slow upload) when its claim goes stale and a retry takes it.
      const second = tokenOf(await store.claim({ ...c, now: at(61) }));
      expect(second).to.not.equal(first);
      await store.complete(c.scope, c.key, first, { ...RESPONSE, data: { id: 'first' } });
      await store.release(c.scope, c.key, first);
      expect(await store.claim({ ...c, now: at(62) })).to.deep.equal({ kind: 'in_progress' });
      await store.complete(c.scope, c.key, second, RESPONSE);
      expect(await store.claim({ ...c, now: at(63) })).to.deep.equal({ kind: 'replay', response: RESPONSE });
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
      await store.complete(live.scope, live.key, tokenOf(await store.claim(live)), RESPONSE);
      await store.claim(old);
      expect(await store.purgeExpired(at(9_000 * DAY))).to.be.at.least(1);
      expect((await store.claim({ ...live, now: at(9_000 * DAY) })).kind).to.equal('replay');
      expect((await store.claim({ ...old, requestHash: 'd'.repeat(64), now: at(9_000 * DAY), expiresAt: at(9_001 * DAY) })).kind).to.equal('claimed');
    });
  });
};
