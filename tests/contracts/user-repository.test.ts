import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { QueryTypes } from 'sequelize';
import sinon from 'sinon';
import { MemoryUserRepository } from '../../adapters/memory/memory-user-repository.js';
import { PostgresUserRepository } from '../../adapters/postgres/postgres-user-repository.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';
import { aUser, userRepositoryContract, type UserRepositoryFixture } from './user-repository.contract.js';

const postgresFixture = (database: TestDatabase): UserRepositoryFixture => ({
  async fresh() {
    await database.db.sequelize.query('TRUNCATE users');
    return new PostgresUserRepository(database.db);
  },
  close: () => database.close(),
});

userRepositoryContract('memory', async () => ({ fresh: async () => new MemoryUserRepository() }));
userRepositoryContract('postgres (embedded PGlite)', async () => postgresFixture(await openPglite()));
userRepositoryContract('postgres (server)', async (ctx) => postgresFixture(await openPostgres(ctx)));

describe('PostgresUserRepository in a transaction (embedded PGlite)', () => {
  let database: TestDatabase;
  before(async () => {
    database = await openPglite();
  });
  after(async () => {
    await database.close();
  });

  it('reports a conflict without aborting the transaction, and every query stays inside it', async () => {
    const first = aUser({ email: 'tx@example.com' });
    const second = aUser();
    await database.db.sequelize.transaction(async (transaction) => {
      const repo = new PostgresUserRepository(database.db, transaction);
      expect(E.isRight(await repo.insert(first))).to.equal(true);
      const clash = await repo.insert(aUser({ email: 'tx@example.com' }));
      expect(E.isLeft(clash) && clash.left._tag).to.equal('Conflict');
      expect(E.isRight(await repo.insert(second))).to.equal(true);
      const listed = await repo.list({}, { field: 'email', direction: 'asc' }, { page: 1, size: 10 });
      expect(E.isRight(listed) && listed.right.total).to.equal(2);
      expect((await repo.findByUsername(second.username))?.id).to.equal(second.id);
      expect(await repo.countActiveAdmins()).to.equal(0);
    });
    const repo = new PostgresUserRepository(database.db);
    expect((await repo.findById(first.id))?.id).to.equal(first.id);
    expect((await repo.findById(second.id))?.id).to.equal(second.id);
  });

  it('rolls back with the transaction', async () => {
    const user = aUser();
    await database.db.sequelize
      .transaction(async (transaction) => {
        await new PostgresUserRepository(database.db, transaction).insert(user);
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await new PostgresUserRepository(database.db).findById(user.id)).to.equal(null);
  });
});

/**
 * The seek must be served by the `(key, id)` sort indexes of migration 0002: its expression (with
 * its collation) has to be the index's, or Postgres falls back to reading every live user.
 */
const seekUsesSortIndex = (name: string, open: (ctx: Mocha.Context) => Promise<TestDatabase>) =>
  describe(`PostgresUserRepository cursor seek plans (${name})`, () => {
    let database: TestDatabase;
    before(async function () {
      database = await open(this);
      const repo = new PostgresUserRepository(database.db);
      for (let i = 0; i < 30; i += 1) E.getOrElseW(() => expect.fail('insert'))(await repo.insert(aUser()));
    });
    after(async () => {
      await database?.close();
    });

    for (const [field, index] of [
      ['created_at', 'users_created_idx'],
      ['email', 'users_email_sort_idx'],
      ['username', 'users_username_sort_idx'],
    ] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        it(`-> ${direction === 'desc' ? '-' : ''}${field} seeks through ${index}`, async () => {
          const sort = { field, direction };
          const first = await new PostgresUserRepository(database.db).list({}, sort, { page: 1, size: 5 });
          const cursor = E.isRight(first) ? first.right.nextCursor : null;
          expect(cursor).to.be.a('string');
          const plans = await database.db.sequelize.transaction(async (transaction) => {
            await database.db.sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
            const issued: { sql: string; bind: unknown }[] = [];
            const query = sinon.stub(database.db.sequelize, 'query').callsFake(function (this: unknown, sql, options) {
              issued.push({ sql: String(sql), bind: (options as { bind?: unknown }).bind });
              return query.wrappedMethod.call(this, sql, options) as never;
            });
            try {
              await new PostgresUserRepository(database.db, transaction).list({}, sort, { page: 1, size: 5, cursor: cursor! });
            } finally {
              query.restore();
            }
            const seek = issued.find((q) => q.sql.includes('$afterId'));
            expect(seek, 'a seek query').to.not.equal(undefined);
            return database.db.sequelize.query(`EXPLAIN ${seek!.sql}`, { bind: seek!.bind as never, transaction, type: QueryTypes.SELECT });
          });
          const plan = (plans as { 'QUERY PLAN': string }[]).map((row) => row['QUERY PLAN']).join('\n');
          expect(plan).to.match(new RegExp(`Index (Only )?Scan( Backward)? using ${index}`));
          expect(plan).to.match(/Index Cond: \(ROW\(/);
          expect(plan).to.not.match(/^\s*Sort\b|->\s+Sort\b/m);
        });
      }
    }
  });

seekUsesSortIndex('embedded PGlite', () => openPglite());
seekUsesSortIndex('server', (ctx) => openPostgres(ctx));

/** The admin count reads only the partial index of migration 0007, not every user. */
const adminCountUsesPartialIndex = (name: string, open: (ctx: Mocha.Context) => Promise<TestDatabase>) =>
  describe(`PostgresUserRepository admin count plan (${name})`, () => {
    let database: TestDatabase;
    before(async function () {
      database = await open(this);
      const repo = new PostgresUserRepository(database.db);
      for (let i = 0; i < 300; i += 1) E.getOrElseW(() => expect.fail('insert'))(await repo.insert(aUser({ isSuperuser: i % 100 === 0 })));
      await database.db.sequelize.query('ANALYZE users');
    });
    after(async () => {
      await database?.close();
    });

    it('counts through users_active_admins_idx', async () => {
      const plan = await database.db.sequelize.transaction(async (transaction) => {
        await database.db.sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
        const issued: string[] = [];
        const query = sinon.stub(database.db.sequelize, 'query').callsFake(function (this: unknown, sql, options) {
          issued.push(String(sql));
          return query.wrappedMethod.call(this, sql, options) as never;
        });
        try {
          expect(await new PostgresUserRepository(database.db, transaction).countActiveAdmins()).to.equal(3);
        } finally {
          query.restore();
        }
        const count = issued.find((sql) => sql.includes('count(*)'));
        const rows = await database.db.sequelize.query(`EXPLAIN ${count!}`, { transaction, type: QueryTypes.SELECT });
        return (rows as { 'QUERY PLAN': string }[]).map((row) => row['QUERY PLAN']).join('\n');
      });
      expect(plan, plan).to.match(/Index (Only )?Scan using users_active_admins_idx|Bitmap Index Scan on users_active_admins_idx/);
    });
  });

adminCountUsesPartialIndex('embedded PGlite', () => openPglite());
adminCountUsesPartialIndex('server', (ctx) => openPostgres(ctx));
