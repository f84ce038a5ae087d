import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { PostgresUserRepository } from '../../adapters/postgres/postgres-user-repository.js';
import { UpdateUser } from '../../core/identity/use-cases/update-user.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { aUser } from '../contracts/user-repository.contract.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';
import { FastPasswordHasher } from '../support/fast-password-hasher.js';

for (const [label, open] of [
  ['PostgreSQL', (ctx: Mocha.Context) => openPostgres(ctx)],
  ['PGlite (embedded)', () => openPglite()],
] as const) {
  describe(`concurrent updates of one user keep every change (${label})`, function () {
    let t: TestDatabase | undefined;
    before(async function () {
      t = await open(this);
    });
    after(async () => t?.close());

    it('a profile edit and an admin promotion made at once both land', async () => {
      const users = new PostgresUserRepository(t!.db);
      const update = new UpdateUser(users, new PostgresUnitOfWork(t!.db), new FastPasswordHasher(), new MemoryTokenStore(), { next: () => uuidv7() }, { now: () => new Date() });
      const admin: Actor = { userId: uuidv7(), sessionId: uuidv7(), role: 'taker', isAdmin: true };
      // Several rounds: each is a fresh chance for one whole-row write to undo the other.
      for (let round = 0; round < 10; round += 1) {
        const user = aUser({ role: 'taker', fullName: 'Before' });
        expect(E.isRight(await users.insert(user))).to.equal(true);
        const self: Actor = { userId: user.id, sessionId: uuidv7(), role: 'taker', isAdmin: false };
        const results = await Promise.all([
          update.execute(self, user.id, { fullName: `After ${round}` }),
          update.execute(admin, user.id, { role: 'giver' }),
        ]);
        expect(results.every(E.isRight), `round ${round}`).to.equal(true);
        const stored = await users.findById(user.id);
        expect({ fullName: stored?.fullName, role: stored?.role }, `round ${round}`).to.deep.equal({ fullName: `After ${round}`, role: 'giver' });
      }
    });
  });
}
