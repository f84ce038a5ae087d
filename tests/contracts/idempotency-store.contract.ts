import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import { conflict } from '../../core/shared/entities/errors.js';
import type { ClaimResult, IdempotencyClaim, IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';

export interface IdempotencyStoreFixture {
  readonly store: IdempotencyStore;
  /** A unit of work whose scope's `idempotency` is this store's transactional side. */
  readonly uow: UnitOfWork;
  close?(): Promise<void>;
}

const T0 = new Date('2031-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const DAY = 86_400;
const tokenOf = (result: ClaimResult): string => {
  if (result.kind !== 'claimed') expect.fail(`expected the key to be claimed, got ${result.kind}`);
  return result.token;
};
const right = <T>(result: E.Either<unknown, T>): T => {
  if (E.isLeft(result)) expect.fail(`expected a Right, got ${JSON.stringify(result.left)}`);
  return result.right;
};
const RESPONSE = { status: 201, data: { id: 'r1', nested: { ok: true } }, headers: { ETag: '"1"', Location: '/api/v1/records/r1' } };

/** The behaviour every IdempotencyStore adapter shares; each test uses its own scope. */
export const idempotencyStoreContract = (name: string, setup: (ctx: Mocha.Context) => Promise<IdempotencyStoreFixture>): void => {
  describe(`IdempotencyStore contract: ${name}`, function () {
    // Opening and migrating a database takes a while on a loaded machine.
    this.timeout(60_000);
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
      expect(await store.complete(c.scope, c.key, first, { ...RESPONSE, data: { id: 'first' } })).to.equal(false);
      await store.release(c.scope, c.key, first);
      expect(await store.claim({ ...c, now: at(62) })).to.deep.equal({ kind: 'in_progress' });
      expect(await store.complete(c.scope, c.key, second, RESPONSE)).to.equal(true);
      expect(await store.complete(c.scope, c.key, second, { ...RESPONSE, status: 200 })).to.equal(false);
      expect(await store.claim({ ...c, now: at(63) })).to.deep.equal({ kind: 'replay', response: RESPONSE });
    });

    it('a response completed in a unit of work that rolls back (Left or throw) is not kept; one that commits is', async () => {
      const c = aClaim();
      const token = tokenOf(await store.claim(c));
      const rolledBack = await fixture!.uow.run(async (scope) => {
        expect(await scope.idempotency.complete(c.scope, c.key, token, RESPONSE)).to.equal(true);
        return E.left(conflict('something after it failed'));
      });
      expect(E.isLeft(rolledBack)).to.equal(true);
      expect(await store.claim({ ...c, now: at(1) })).to.deep.equal({ kind: 'in_progress' });
      const thrown = fixture!.uow.run(async (scope) => {
        await scope.idempotency.complete(c.scope, c.key, token, RESPONSE);
        throw new Error('the commit failed');
      });
      await thrown.then(() => expect.fail('should have thrown'), (error: Error) => expect(error.message).to.equal('the commit failed'));
      expect(await store.claim({ ...c, now: at(2) })).to.deep.equal({ kind: 'in_progress' });
      right(await fixture!.uow.run(async (scope) => E.right(await scope.idempotency.complete(c.scope, c.key, token, RESPONSE))));
      expect(await store.claim({ ...c, now: at(3600) })).to.deep.equal({ kind: 'replay', response: RESPONSE });
    });

    it('in a unit of work, a claim taken over meanwhile completes nothing and says so', async () => {
      const c = aClaim();
      const first = tokenOf(await store.claim(c));
      const second = tokenOf(await store.claim({ ...c, now: at(61) }));
      expect(right(await fixture!.uow.run(async (scope) => E.right(await scope.idempotency.complete(c.scope, c.key, first, RESPONSE))))).to.equal(false);
      expect(await store.claim({ ...c, now: at(62) })).to.deep.equal({ kind: 'in_progress' });
      expect(right(await fixture!.uow.run(async (scope) => E.right(await scope.idempotency.complete(c.scope, c.key, second, RESPONSE))))).to.equal(true);
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
