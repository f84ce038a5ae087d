import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { PostgresUserRepository } from '../../adapters/postgres/postgres-user-repository.js';
import { DeleteUser } from '../../core/identity/use-cases/delete-user.js';
import { UpdateUser } from '../../core/identity/use-cases/update-user.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import { aUser } from '../contracts/user-repository.contract.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';
import { FastPasswordHasher } from '../support/fast-password-hasher.js';

type Removal = (actor: Actor, targetId: string) => Promise<E.Either<DomainError, unknown>>;

for (const [label, open] of [
  ['PostgreSQL', (ctx: Mocha.Context) => openPostgres(ctx)],
  ['PGlite (embedded)', () => openPglite()],
] as const) {
  describe(`last active admin under concurrent removals (${label})`, function () {
    let t: TestDatabase | undefined;
    before(async function () {
      t = await open(this);
    });
    after(async () => t?.close());

    const removals = (): Record<string, Removal> => {
      const users = new PostgresUserRepository(t!.db);
      const uow = new PostgresUnitOfWork(t!.db);
      const store = new MemoryTokenStore();
      const ids = { next: () => uuidv7() };
      const clock = { now: () => new Date() };
      const update = new UpdateUser(users, uow, new FastPasswordHasher(), store, ids, clock);
      const remove = new DeleteUser(uow, store, ids, clock);
      return {
        demote: (actor, id) => update.execute(actor, id, { isSuperuser: false }),
        disable: (actor, id) => update.execute(actor, id, { isActive: false }),
        delete: (actor, id) => remove.execute(actor, id),
      };
    };

    for (const kind of ['demote', 'disable', 'delete'] as const) {
      it(`two admins who ${kind} each other at once: exactly one succeeds, one admin remains`, async () => {
        const users = new PostgresUserRepository(t!.db);
        // Several rounds: without the admin lock each round is a fresh chance for both to pass.
        for (let round = 0; round < 5; round += 1) {
          await t!.db.sequelize.query('TRUNCATE users');
          const [a, b] = [aUser({ isSuperuser: true }), aUser({ isSuperuser: true })];
          for (const u of [a, b]) expect(E.isRight(await users.insert(u))).to.equal(true);
          const actor = (id: string): Actor => ({ userId: id, sessionId: uuidv7(), role: 'taker', isAdmin: true });
          const run = removals()[kind]!;
          const results = await Promise.all([run(actor(a.id), b.id), run(actor(b.id), a.id)]);
          expect(results.filter(E.isRight), `round ${round}`).to.have.length(1);
          const refused = results.find(E.isLeft);
          expect(refused?.left).to.deep.equal({ _tag: 'BusinessRule', message: 'The last active administrator cannot be disabled, demoted or deleted' });
          expect(await users.countActiveAdmins()).to.equal(1);
        }
      });
    }
  });
}
