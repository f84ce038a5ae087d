import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { NewRefreshSession, RefreshSession, RotateResult, TokenStore } from '../../core/identity/ports/token-store.js';

export interface TokenStoreFixture {
  readonly store: TokenStore;
  close?(): Promise<void>;
}

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const GRACE = 10;
const IDLE = 7 * 86_400;
const T0 = new Date('2031-03-01T08:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const aHash = (): string => createHash('sha256').update(randomBytes(32)).digest('hex');

const aSession = (overrides: Partial<NewRefreshSession> = {}): NewRefreshSession => ({
  sessionId: uuidv7(),
  userId: uuidv7(),
  tokenHash: aHash(),
  now: T0,
  expiresAt: at(30 * DAY),
  idleTimeoutSeconds: IDLE,
  userAgent: 'Mozilla/5.0 (contract)',
  ip: '203.0.113.7',
  credentialVersion: 3,
  ...overrides,
});

const rotated = (r: RotateResult): RefreshSession => {
  expect(r.kind).to.equal('rotated');
  return (r as Extract<RotateResult, { kind: 'rotated' }>).session;
};

/**
 * The behaviour every TokenStore adapter must share. `setup` runs once per adapter (it may skip
 * through the mocha context when a service is down); tests isolate themselves with fresh ids.
 */
export const tokenStoreContract = (name: string, setup: (ctx: Mocha.Context) => Promise<TokenStoreFixture>): void => {
  describe(`TokenStore contract: ${name}`, function () {
    let fixture: TokenStoreFixture | undefined;
    let store: TokenStore;

    before(async function () {
      fixture = await setup(this);
      store = fixture.store;
    });
    after(async () => {
      await fixture?.close?.();
    });

    const rotate = (tokenHash: string, successorHash: string, now: Date, idleTimeoutSeconds = IDLE) =>
      store.rotate({ tokenHash, successorHash, now, graceSeconds: GRACE, idleTimeoutSeconds });

    describe('create and findActive', () => {
      it('returns the new session with its device data and finds it while active', async () => {
        const n = aSession();
        const created = await store.create(n);
        expect(created).to.deep.equal({
          id: n.sessionId,
          userId: n.userId,
          createdAt: T0,
          lastUsedAt: T0,
          expiresAt: n.expiresAt,
          idleExpiresAt: at(IDLE * SECOND),
          userAgent: n.userAgent,
          ip: n.ip,
          revokedAt: null,
          credentialVersion: 3,
        });
        expect(await store.findActive(n.sessionId, at(SECOND))).to.deep.equal(created);
      });

      it('keeps null device data as null', async () => {
        const n = aSession({ userAgent: null, ip: null });
        await store.create(n);
        const found = await store.findActive(n.sessionId, T0);
        expect(found?.userAgent).to.equal(null);
        expect(found?.ip).to.equal(null);
      });

      it('never lets the idle deadline pass the absolute one', async () => {
        const n = aSession({ expiresAt: at(DAY) });
        expect((await store.create(n)).idleExpiresAt).to.deep.equal(at(DAY));
      });

      it('does not find an unknown session', async () => {
        expect(await store.findActive(uuidv7(), T0)).to.equal(null);
      });
    });

    describe('rotate', () => {
      it('exchanges the current token for its successor and refreshes the idle deadline', async () => {
        const n = aSession();
        await store.create(n);
        const s = rotated(await rotate(n.tokenHash, aHash(), at(DAY)));
        expect(s.id).to.equal(n.sessionId);
        expect(s.lastUsedAt).to.deep.equal(at(DAY));
        expect(s.idleExpiresAt).to.deep.equal(at(DAY + IDLE * SECOND));
        expect((await store.findActive(n.sessionId, at(DAY)))?.lastUsedAt).to.deep.equal(at(DAY));
      });

      it('accepts the successor, and its successor, as the new current token', async () => {
        const n = aSession();
        await store.create(n);
        const b = aHash();
        const c = aHash();
        rotated(await rotate(n.tokenHash, b, at(DAY)));
        expect(rotated(await rotate(b, c, at(2 * DAY))).id).to.equal(n.sessionId);
        rotated(await rotate(c, aHash(), at(3 * DAY)));
      });

      it('answers invalid for an unknown token', async () => {
        expect(await rotate(aHash(), aHash(), T0)).to.deep.equal({ kind: 'invalid' });
      });

      it('hands back the same successor when the spent token is replayed within the grace window', async () => {
        const n = aSession();
        await store.create(n);
        const b = aHash();
        rotated(await rotate(n.tokenHash, b, at(DAY)));
        const replay = rotated(await rotate(n.tokenHash, b, at(DAY + (GRACE - 1) * SECOND)));
        expect(replay.id).to.equal(n.sessionId);
        expect(replay.revokedAt).to.equal(null);
        // Same lineage: the successor both answers got is still the current token.
        rotated(await rotate(b, aHash(), at(DAY + GRACE * SECOND + 5 * SECOND)));
      });

      it('treats a replay within the grace window that asks for a different successor as reuse', async () => {
        const n = aSession();
        await store.create(n);
        const b = aHash();
        rotated(await rotate(n.tokenHash, b, at(DAY)));
        expect((await rotate(n.tokenHash, aHash(), at(DAY + SECOND))).kind).to.equal('reused');
        expect(await rotate(b, aHash(), at(DAY + 2 * SECOND))).to.deep.equal({ kind: 'invalid' });
      });

      it('revokes the whole family when a spent token comes back after the grace window', async () => {
        const n = aSession();
        const other = aSession({ userId: n.userId });
        await store.create(n);
        await store.create(other);
        const b = aHash();
        rotated(await rotate(n.tokenHash, b, at(DAY)));
        const reuseAt = at(DAY + (GRACE + 1) * SECOND);
        const result = await rotate(n.tokenHash, b, reuseAt);
        expect(result.kind).to.equal('reused');
        const session = (result as Extract<RotateResult, { kind: 'reused' }>).session;
        expect(session.id).to.equal(n.sessionId);
        expect(session.revokedAt).to.deep.equal(reuseAt);

        expect(await rotate(b, aHash(), at(DAY + 20 * SECOND))).to.deep.equal({ kind: 'invalid' });
        expect(await rotate(n.tokenHash, b, at(DAY + 20 * SECOND))).to.deep.equal({ kind: 'invalid' });
        expect(await store.findActive(n.sessionId, at(DAY + 20 * SECOND))).to.equal(null);
        // Only that family: the user's other device stays signed in.
        expect(await store.findActive(other.sessionId, at(DAY + 20 * SECOND))).to.not.equal(null);
      });

      it('detects reuse of an older ancestor too', async () => {
        const n = aSession();
        await store.create(n);
        const b = aHash();
        const c = aHash();
        rotated(await rotate(n.tokenHash, b, at(DAY)));
        rotated(await rotate(b, c, at(2 * DAY)));
        expect((await rotate(n.tokenHash, b, at(3 * DAY))).kind).to.equal('reused');
        expect(await rotate(c, aHash(), at(3 * DAY))).to.deep.equal({ kind: 'invalid' });
      });
    });

    describe('expiry', () => {
      it('ends a session that is not used within the idle timeout', async () => {
        const n = aSession({ idleTimeoutSeconds: 60 });
        await store.create(n);
        expect(await store.findActive(n.sessionId, at(59 * SECOND))).to.not.equal(null);
        expect(await store.findActive(n.sessionId, at(60 * SECOND))).to.equal(null);
        expect(await rotate(n.tokenHash, aHash(), at(61 * SECOND), 60)).to.deep.equal({ kind: 'invalid' });
        expect(await store.listActive(n.userId, at(61 * SECOND))).to.deep.equal([]);
      });

      it('keeps a session alive for as long as it is used within the idle timeout', async () => {
        const n = aSession({ idleTimeoutSeconds: 60 });
        await store.create(n);
        const b = aHash();
        rotated(await rotate(n.tokenHash, b, at(50 * SECOND), 60));
        expect(await store.findActive(n.sessionId, at(100 * SECOND))).to.not.equal(null);
        rotated(await rotate(b, aHash(), at(100 * SECOND), 60));
      });

      it('ends a session at its absolute expiry however often it is used', async () => {
        const n = aSession({ expiresAt: at(3 * DAY) });
        await store.create(n);
        const b = aHash();
        const c = aHash();
        rotated(await rotate(n.tokenHash, b, at(DAY)));
        const s = rotated(await rotate(b, c, at(2 * DAY)));
        expect(s.idleExpiresAt).to.deep.equal(at(3 * DAY));
        expect(await store.findActive(n.sessionId, at(3 * DAY - SECOND))).to.not.equal(null);
        expect(await store.findActive(n.sessionId, at(3 * DAY))).to.equal(null);
        expect(await rotate(c, aHash(), at(3 * DAY))).to.deep.equal({ kind: 'invalid' });
      });
    });

    describe('revocation', () => {
      it('revokeSession ends that session only', async () => {
        const n = aSession();
        const other = aSession({ userId: n.userId });
        await store.create(n);
        await store.create(other);
        await store.revokeSession(n.sessionId, at(SECOND));
        expect(await store.findActive(n.sessionId, at(2 * SECOND))).to.equal(null);
        expect(await rotate(n.tokenHash, aHash(), at(2 * SECOND))).to.deep.equal({ kind: 'invalid' });
        expect(await store.findActive(other.sessionId, at(2 * SECOND))).to.not.equal(null);
        rotated(await rotate(other.tokenHash, aHash(), at(2 * SECOND)));
      });

      it('revokeSession of an unknown or already revoked session is a no-op', async () => {
        await store.revokeSession(uuidv7(), T0);
        const n = aSession();
        await store.create(n);
        await store.revokeSession(n.sessionId, at(SECOND));
        await store.revokeSession(n.sessionId, at(2 * SECOND));
        expect(await store.findActive(n.sessionId, at(3 * SECOND))).to.equal(null);
      });

      it('revokeAllForUser ends every session of that user and no one else', async () => {
        const userId = uuidv7();
        const mine = [aSession({ userId }), aSession({ userId }), aSession({ userId })];
        const theirs = aSession();
        for (const n of [...mine, theirs]) await store.create(n);
        await store.revokeAllForUser(userId, at(SECOND));
        for (const n of mine) {
          expect(await store.findActive(n.sessionId, at(2 * SECOND))).to.equal(null);
          expect(await rotate(n.tokenHash, aHash(), at(2 * SECOND))).to.deep.equal({ kind: 'invalid' });
        }
        expect(await store.listActive(userId, at(2 * SECOND))).to.deep.equal([]);
        expect(await store.findActive(theirs.sessionId, at(2 * SECOND))).to.not.equal(null);
      });

      it('revokeAllForUser spares the session it is told to keep', async () => {
        const userId = uuidv7();
        const current = aSession({ userId });
        const others = [aSession({ userId }), aSession({ userId })];
        for (const n of [current, ...others]) await store.create(n);
        await store.revokeAllForUser(userId, at(SECOND), current.sessionId);
        expect((await store.listActive(userId, at(2 * SECOND))).map((s) => s.id)).to.deep.equal([current.sessionId]);
        rotated(await rotate(current.tokenHash, aHash(), at(2 * SECOND)));
        for (const n of others) expect(await store.findActive(n.sessionId, at(2 * SECOND))).to.equal(null);
      });

      it('revokeAllForUser of a user without sessions is a no-op', async () => {
        await store.revokeAllForUser(uuidv7(), T0);
      });
    });

    describe('credential version', () => {
      it('every read of a session carries the version it was opened under', async () => {
        const n = aSession({ credentialVersion: 5 });
        await store.create(n);
        expect((await store.findActive(n.sessionId, at(SECOND)))?.credentialVersion).to.equal(5);
        expect(rotated(await rotate(n.tokenHash, aHash(), at(SECOND))).credentialVersion).to.equal(5);
        expect((await store.listActive(n.userId, at(SECOND))).map((s) => s.credentialVersion)).to.deep.equal([5]);
      });

      it('setCredentialVersion moves that live session only, and only upwards', async () => {
        const n = aSession({ credentialVersion: 2 });
        const sibling = aSession({ userId: n.userId, credentialVersion: 2 });
        await store.create(n);
        await store.create(sibling);
        await store.setCredentialVersion(n.sessionId, 3);
        expect((await store.findActive(n.sessionId, at(SECOND)))?.credentialVersion).to.equal(3);
        expect((await store.findActive(sibling.sessionId, at(SECOND)))?.credentialVersion).to.equal(2);
        // A late, older stamp (two changes racing) never takes a session back to a retired version.
        await store.setCredentialVersion(n.sessionId, 1);
        expect((await store.findActive(n.sessionId, at(SECOND)))?.credentialVersion).to.equal(3);
      });

      it('setCredentialVersion leaves a revoked session revoked and ignores an unknown one', async () => {
        const n = aSession({ credentialVersion: 2 });
        await store.create(n);
        await store.revokeSession(n.sessionId, at(SECOND));
        await store.setCredentialVersion(n.sessionId, 3);
        await store.setCredentialVersion(uuidv7(), 3);
        expect(await store.findActive(n.sessionId, at(2 * SECOND))).to.equal(null);
        expect(await rotate(n.tokenHash, aHash(), at(2 * SECOND))).to.deep.equal({ kind: 'invalid' });
      });
    });

    describe('listActive', () => {
      it("lists the user's active sessions, newest first, with their device data", async () => {
        const userId = uuidv7();
        const oldest = aSession({ userId, now: T0, userAgent: 'phone', ip: '198.51.100.1' });
        const middle = aSession({ userId, now: at(SECOND), userAgent: 'laptop', ip: '2001:db8::1' });
        const newest = aSession({ userId, now: at(2 * SECOND), userAgent: null, ip: null });
        const revoked = aSession({ userId, now: at(3 * SECOND) });
        const expired = aSession({ userId, now: at(4 * SECOND), expiresAt: at(5 * SECOND) });
        const idle = aSession({ userId, now: at(4 * SECOND), idleTimeoutSeconds: 1 });
        for (const n of [oldest, middle, newest, revoked, expired, idle, aSession()]) await store.create(n);
        await store.revokeSession(revoked.sessionId, at(5 * SECOND));

        const listed = await store.listActive(userId, at(10 * SECOND));
        expect(listed.map((s) => s.id)).to.deep.equal([newest.sessionId, middle.sessionId, oldest.sessionId]);
        expect(listed.map((s) => [s.userAgent, s.ip])).to.deep.equal([
          [null, null],
          ['laptop', '2001:db8::1'],
          ['phone', '198.51.100.1'],
        ]);
        expect(listed.every((s) => s.userId === userId && s.revokedAt === null)).to.equal(true);
      });

      it('is empty for a user without sessions', async () => {
        expect(await store.listActive(uuidv7(), T0)).to.deep.equal([]);
      });
    });

    describe('concurrency', () => {
      it('10 concurrent refreshes of one token all get the same successor and leave one lineage', async () => {
        const n = aSession();
        await store.create(n);
        const successor = aHash();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => rotate(n.tokenHash, successor, at(DAY + i))),
        );
        // Every retry derives the same successor, so all of them are served that one successor.
        expect(results.map((r) => r.kind)).to.deep.equal(Array(10).fill('rotated'));
        expect(new Set(results.map((r) => (r.kind === 'rotated' ? r.session.id : null)))).to.deep.equal(
          new Set([n.sessionId]),
        );
        // One lineage: the presented token was spent once, for that successor only (another one
        // asked for within the grace window is reuse), and the successor is the current token.
        expect(await store.listActive(n.userId, at(DAY + SECOND))).to.have.length(1);
        const c = aHash();
        rotated(await rotate(successor, c, at(DAY + 5 * SECOND)));
        rotated(await rotate(c, aHash(), at(DAY + 6 * SECOND)));
        expect((await rotate(n.tokenHash, aHash(), at(DAY + 7 * SECOND))).kind).to.equal('reused');
        expect(await store.findActive(n.sessionId, at(DAY + 8 * SECOND))).to.equal(null);
      });

      it('10 concurrent refreshes asking for different successors: one rotates, the next is reuse and ends the family', async () => {
        const n = aSession();
        const other = aSession({ userId: n.userId });
        await store.create(n);
        await store.create(other);
        const successors = Array.from({ length: 10 }, () => aHash());
        const results = await Promise.all(successors.map((s, i) => rotate(n.tokenHash, s, at(DAY + i))));
        // Serialised by the store: the first spends the token; the second presents a spent token
        // with another successor within the grace window, which is reuse and revokes the family;
        // the rest find the session revoked.
        const count = (kind: RotateResult['kind']) => results.filter((r) => r.kind === kind).length;
        expect({ rotated: count('rotated'), reused: count('reused'), invalid: count('invalid') }).to.deep.equal({
          rotated: 1,
          reused: 1,
          invalid: 8,
        });
        const reused = results.find((r) => r.kind === 'reused') as Extract<RotateResult, { kind: 'reused' }>;
        expect(reused.session.id).to.equal(n.sessionId);
        expect(reused.session.revokedAt).to.not.equal(null);

        // Afterwards no token of the family works: neither the original nor any successor.
        for (const s of [n.tokenHash, ...successors]) {
          expect(await rotate(s, aHash(), at(DAY + 2 * SECOND))).to.deep.equal({ kind: 'invalid' });
        }
        expect(await store.findActive(n.sessionId, at(DAY + 2 * SECOND))).to.equal(null);
        expect(await store.findActive(other.sessionId, at(DAY + 2 * SECOND))).to.not.equal(null);
      });
    });
  });
};
