import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';
import { MemoryUserRepository } from '../../adapters/memory/memory-user-repository.js';
import { PostgresTokenStore } from '../../adapters/postgres/postgres-token-store.js';
import { PostgresUserRepository } from '../../adapters/postgres/postgres-user-repository.js';
import { RedisTokenStore } from '../../adapters/redis/redis-token-store.js';
import { SeparateSessionLookup, type SessionLookup } from '../../core/identity/ports/session-lookup.js';
import type { TokenStore } from '../../core/identity/ports/token-store.js';
import type { UserRepository } from '../../core/identity/ports/user-repository.js';
import { openPglite, openPostgres, openRedis } from '../support/databases.js';
import { aUser } from './user-repository.contract.js';

interface Fixture {
  readonly lookup: SessionLookup;
  readonly store: TokenStore;
  readonly users: UserRepository;
  close?(): Promise<void>;
}

const T0 = new Date('2031-06-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/**
 * What authentication reads on every request, for each way it can be wired: the one-statement
 * read of the Postgres session store and the two-store read. Each must see a revocation, an idle
 * end, a disabled or deleted user and a new credential version at once, also right after the same
 * session was read (the embedded engine keeps rows it read until any write: SingleWriterCache).
 */
const sessionLookupContract = (name: string, setup: (ctx: Mocha.Context) => Promise<Fixture>): void => {
  describe(`SessionLookup: ${name}`, function () {
    let f: Fixture | undefined;
    before(async function () {
      // Opening and migrating PGlite takes longer than mocha's default on a busy machine.
      this.timeout(60_000);
      f = await setup(this);
    });
    after(async () => {
      await f?.close?.();
    });

    const opened = async (idleTimeoutSeconds = 600) => {
      const user = aUser();
      const inserted = await f!.users.insert(user);
      expect(inserted._tag).to.equal('Right');
      const sessionId = uuidv7();
      await f!.store.create({
        sessionId,
        userId: user.id,
        tokenHash: uuidv7().replace(/-/g, '').padEnd(64, '0'),
        now: T0,
        expiresAt: at(3600),
        idleTimeoutSeconds,
        userAgent: 'bench',
        ip: '127.0.0.1',
        credentialVersion: user.credentialVersion,
      });
      return { user, sessionId };
    };

    it('answers an active session with its user as stored', async () => {
      const { user, sessionId } = await opened();
      const found = await f!.lookup.findActiveWithUser(sessionId, user.id, at(1));
      expect(found?.session.id).to.equal(sessionId);
      expect(found?.session.userId).to.equal(user.id);
      expect(found?.session.credentialVersion).to.equal(1);
      expect(found?.user?.id).to.equal(user.id);
      expect(found?.user?.email).to.equal(user.email);
      expect(found?.user?.role).to.equal(user.role);
      expect(found?.user?.isActive).to.equal(true);
      expect(found?.user?.createdAt.getTime()).to.equal(user.createdAt.getTime());
    });

    it('answers null once the session is revoked, or past its idle end', async () => {
      const revoked = await opened();
      expect(await f!.lookup.findActiveWithUser(revoked.sessionId, revoked.user.id, at(1))).to.not.equal(null);
      expect(await f!.lookup.findActiveWithUser(revoked.sessionId, revoked.user.id, at(1))).to.not.equal(null);
      await f!.store.revokeSession(revoked.sessionId, at(2));
      expect(await f!.lookup.findActiveWithUser(revoked.sessionId, revoked.user.id, at(3))).to.equal(null);
      const idle = await opened(60);
      expect(await f!.lookup.findActiveWithUser(idle.sessionId, idle.user.id, at(59))).to.not.equal(null);
      expect(await f!.lookup.findActiveWithUser(idle.sessionId, idle.user.id, at(61))).to.equal(null);
      expect(await f!.lookup.findActiveWithUser(uuidv7(), idle.user.id, at(1))).to.equal(null);
    });

    it('sees a disabled user, a new credential version and a deleted user on the next read', async () => {
      const { user, sessionId } = await opened();
      expect((await f!.lookup.findActiveWithUser(sessionId, user.id, at(4)))?.user?.isActive).to.equal(true);
      expect((await f!.lookup.findActiveWithUser(sessionId, user.id, at(4)))?.user?.isActive).to.equal(true);
      await f!.users.update({ ...user, isActive: false, credentialVersion: 2, updatedAt: at(5) });
      const changed = await f!.lookup.findActiveWithUser(sessionId, user.id, at(6));
      expect(changed?.user?.isActive).to.equal(false);
      expect(changed?.user?.credentialVersion).to.equal(2);
      expect(changed?.session.credentialVersion).to.equal(1);
      expect((await f!.lookup.findActiveWithUser(sessionId, user.id, at(6)))?.user?.isActive).to.equal(false);
      await f!.users.update({ ...user, deletedAt: at(7), updatedAt: at(7) });
      const gone = await f!.lookup.findActiveWithUser(sessionId, user.id, at(8));
      expect(gone?.user ?? null).to.equal(null);
    });
  });
};

sessionLookupContract('memory stores, read separately', async () => {
  const store = new MemoryTokenStore();
  const users = new MemoryUserRepository();
  return { lookup: new SeparateSessionLookup(store, users), store, users };
});

sessionLookupContract('Redis sessions + memory users, read separately', async (ctx) => {
  const redis = await openRedis(ctx);
  const store = new RedisTokenStore(redis.client, { keyPrefix: redis.prefix });
  const users = new MemoryUserRepository();
  return { lookup: new SeparateSessionLookup(store, users), store, users, close: () => redis.close() };
});

sessionLookupContract('PostgresTokenStore, one statement (embedded PGlite, rows kept until a write)', async () => {
  const database = await openPglite();
  expect(database.db.writeGeneration, 'openPglite wires the write generation as production does').to.be.a('function');
  const store = new PostgresTokenStore(database.db);
  return { lookup: store, store, users: new PostgresUserRepository(database.db), close: () => database.close() };
});

describe('SessionLookup on the embedded engine: what the kept rows must never hide', function () {
  let database: Awaited<ReturnType<typeof openPglite>>;
  let store: PostgresTokenStore;
  let users: PostgresUserRepository;
  before(async function () {
    this.timeout(60_000);
    database = await openPglite();
    store = new PostgresTokenStore(database.db);
    users = new PostgresUserRepository(database.db);
  });
  after(async () => database?.close());

  const opened = async () => {
    const user = aUser();
    await users.insert(user);
    const sessionId = uuidv7();
    await store.create({
      sessionId,
      userId: user.id,
      tokenHash: uuidv7().replace(/-/g, '').padEnd(64, '0'),
      now: T0,
      expiresAt: at(3600),
      idleTimeoutSeconds: 600,
      userAgent: 'test',
      ip: '127.0.0.1',
      credentialVersion: user.credentialVersion,
    });
    expect(await store.findActiveWithUser(sessionId, user.id, at(1))).to.not.equal(null);
    return { user, sessionId };
  };

  it('a write by any path, even raw SQL that no adapter knows of, is seen on the next read', async () => {
    const { user, sessionId } = await opened();
    await database.db.sequelize.query('UPDATE users SET is_active = false WHERE id = $1', { bind: [user.id] });
    expect((await store.findActiveWithUser(sessionId, user.id, at(2)))?.user?.isActive).to.equal(false);
    await database.db.sequelize.query('UPDATE refresh_sessions SET revoked_at = now() WHERE id = $1', { bind: [sessionId] });
    expect(await store.findActiveWithUser(sessionId, user.id, at(3))).to.equal(null);
  });

  it('a read inside a transaction sees its own uncommitted write, and after a rollback the stored row is answered', async () => {
    const { user, sessionId } = await opened();
    const transaction = await database.db.sequelize.transaction();
    try {
      await database.db.sequelize.query('UPDATE users SET is_active = false WHERE id = $1', { bind: [user.id], transaction });
      const inside = await new PostgresTokenStore(database.db, transaction).findActiveWithUser(sessionId, user.id, at(2));
      expect(inside?.user?.isActive).to.equal(false);
    } finally {
      await transaction.rollback();
    }
    expect((await store.findActiveWithUser(sessionId, user.id, at(3)))?.user?.isActive).to.equal(true);
  });

  it('a read that raced a write is not kept: the next read sees the write', async () => {
    const { user, sessionId } = await opened();
    await database.db.sequelize.query('UPDATE users SET updated_at = now() WHERE id = $1', { bind: [user.id] });
    // The read and a disabling write leave together: whichever the engine runs first, the read's
    // row must not be kept past the write.
    const [raced] = await Promise.all([
      store.findActiveWithUser(sessionId, user.id, at(2)),
      database.db.sequelize.query('UPDATE users SET is_active = false WHERE id = $1', { bind: [user.id] }),
    ]);
    expect(raced).to.not.equal(null);
    expect((await store.findActiveWithUser(sessionId, user.id, at(3)))?.user?.isActive).to.equal(false);
  });
});

sessionLookupContract('PostgresTokenStore, one statement (server)', async (ctx) => {
  const database = await openPostgres(ctx);
  const store = new PostgresTokenStore(database.db);
  return { lookup: store, store, users: new PostgresUserRepository(database.db), close: () => database.close() };
});
