import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
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
      expect((await repo.list({}, { field: 'email', direction: 'asc' }, { page: 1, size: 10 })).total).to.equal(2);
      expect((await repo.findByUsername(second.username))?.id).to.equal(second.id);
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
