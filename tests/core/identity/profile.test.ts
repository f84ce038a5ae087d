import { expect } from 'chai';
import sinon from 'sinon';
import { DependencyUnavailableError } from '../../../core/shared/entities/errors.js';
import { identityHarness, left, PASSWORD, right } from './identity-harness.js';

describe('Own profile: GetUser, UpdateUser, ChangePassword', () => {
  it('reads and updates my own profile fields', async () => {
    const h = identityHarness();
    const { actor } = await h.actorFor(await h.aUser());
    h.clock.advanceSeconds(60);
    const updated = right(await h.updateUser.execute(actor, actor.userId, { fullName: 'Ann Lee', username: 'ann.lee' }));
    expect(updated).to.include({ fullName: 'Ann Lee', username: 'ann.lee' });
    expect(updated.updatedAt.getTime() - updated.createdAt.getTime()).to.equal(60_000);
    expect(right(await h.getUser.execute(actor, actor.userId))).to.deep.equal(updated);
    const event = h.events.all().at(-1)!;
    expect([event.type, event.data]).to.deep.equal(['user.updated', { changed: ['full_name', 'username'] }]);
  });

  it('records nothing when nothing changes', async () => {
    const h = identityHarness();
    const user = await h.aUser({ fullName: 'Ann' });
    const { actor } = await h.actorFor(user);
    const before = h.events.all().length;
    right(await h.updateUser.execute(actor, actor.userId, { fullName: 'Ann' }));
    expect(h.events.all()).to.have.length(before);
  });

  it('changing my email needs my current password', async () => {
    const h = identityHarness();
    const { actor } = await h.actorFor(await h.aUser());
    const missing = left(await h.updateUser.execute(actor, actor.userId, { email: 'new@example.com' }));
    const wrong = left(await h.updateUser.execute(actor, actor.userId, { email: 'new@example.com', currentPassword: 'nope-nope' }));
    for (const error of [missing, wrong]) {
      expect(error._tag === 'Validation' && error.issues.map((i) => i.field)).to.deep.equal(['current_password']);
    }
    const ok = right(await h.updateUser.execute(actor, actor.userId, { email: 'New@Example.com', currentPassword: PASSWORD }));
    expect(ok.email).to.equal('new@example.com');
  });

  it('verifies my current password outside any unit of work (argon2 must not hold a transaction open)', async () => {
    const h = identityHarness();
    const { actor } = await h.actorFor(await h.aUser());
    let inUnitOfWork = false;
    const run = h.uow.run.bind(h.uow);
    sinon.stub(h.uow, 'run').callsFake(async (work) => {
      inUnitOfWork = true;
      try {
        return await run(work);
      } finally {
        inUnitOfWork = false;
      }
    });
    const verifiedInside: boolean[] = [];
    const verify = h.hasher.verify.bind(h.hasher);
    sinon.stub(h.hasher, 'verify').callsFake(async (hash, password) => {
      verifiedInside.push(inUnitOfWork);
      return verify(hash, password);
    });
    right(await h.updateUser.execute(actor, actor.userId, { email: 'new@example.com', currentPassword: PASSWORD }));
    expect(verifiedInside).to.deep.equal([false]);
  });

  it('refuses an email change whose current password was verified against a hash changed meanwhile, changing nothing', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor } = await h.actorFor(user);
    const changedMeanwhile = { ...user, passwordHash: await h.hasher.hash('someone else set this one'), updatedAt: new Date(0) };
    const verify = h.hasher.verify.bind(h.hasher);
    sinon.stub(h.hasher, 'verify').callsFake(async (hash, password) => {
      const ok = await verify(hash, password);
      // A password change lands while the (slow) verification runs.
      right(await h.users.update(changedMeanwhile));
      return ok;
    });
    const error = left(await h.updateUser.execute(actor, actor.userId, { email: 'new@example.com', currentPassword: PASSWORD }));
    expect(error._tag === 'Validation' && error.issues).to.deep.equal([{ field: 'current_password', message: 'is incorrect' }]);
    expect(await h.users.findById(user.id)).to.deep.equal(changedMeanwhile);
  });

  it('re-sending my current email does not ask for the password', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor } = await h.actorFor(user);
    right(await h.updateUser.execute(actor, actor.userId, { email: user.email.toUpperCase(), fullName: 'X' }));
  });

  it('refuses a username taken by someone else with Conflict', async () => {
    const h = identityHarness();
    await h.aUser({ username: 'taken' });
    const { actor } = await h.actorFor(await h.aUser());
    expect(left(await h.updateUser.execute(actor, actor.userId, { username: 'TAKEN' }))._tag).to.equal('Conflict');
  });

  it('refuses admin-only fields from a non-admin with Forbidden, changing nothing', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor } = await h.actorFor(user);
    for (const patch of [{ role: 'giver' as const }, { isSuperuser: true }, { isActive: false }]) {
      expect(left(await h.updateUser.execute(actor, actor.userId, { ...patch, fullName: 'X' }))._tag).to.equal('Forbidden');
    }
    expect(await h.users.findById(user.id)).to.deep.equal(user);
  });

  it('another user\'s id is NotFound for a non-admin, for reads, updates and deletes alike', async () => {
    const h = identityHarness();
    const { actor } = await h.actorFor(await h.aUser());
    const other = await h.aUser();
    expect(left(await h.getUser.execute(actor, other.id))._tag).to.equal('NotFound');
    expect(left(await h.updateUser.execute(actor, other.id, { fullName: 'X' }))._tag).to.equal('NotFound');
    expect(left(await h.deleteUser.execute(actor, other.id))._tag).to.equal('NotFound');
    expect(left(await h.getUser.execute(actor, '01890a5d-ac96-774b-bcce-b302099a8057'))._tag).to.equal('NotFound');
    expect(await h.users.findById(other.id)).to.deep.equal(other);
  });

  it('deleting myself ends my sessions and frees my email and username', async () => {
    const h = identityHarness();
    const user = await h.aUser({ email: 'ann@example.com', username: 'ann' });
    const { actor, tokens } = await h.actorFor(user);
    right(await h.deleteUser.execute(actor, user.id));
    expect(left(await h.authenticate.execute(tokens.accessToken))._tag).to.equal('Unauthenticated');
    expect(await h.users.findById(user.id)).to.equal(null);
    const again = right(await h.register.execute({ email: 'ann@example.com', username: 'ann', password: PASSWORD }));
    expect(again.id).to.not.equal(user.id);
  });

  describe('ChangePassword', () => {
    const NEW = 'a much better passphrase';

    it('changes the password, keeps the current session and ends every other one', async () => {
      const h = identityHarness();
      const user = await h.aUser();
      const here = await h.actorFor(user);
      const elsewhere = await h.actorFor(user);
      right(await h.changePassword.execute(here.actor, { currentPassword: PASSWORD, newPassword: NEW }));
      right(await h.authenticate.execute(here.tokens.accessToken));
      right(await h.refresh.execute(here.tokens.refreshToken));
      expect(left(await h.authenticate.execute(elsewhere.tokens.accessToken))._tag).to.equal('Unauthenticated');
      expect(left(await h.refresh.execute(elsewhere.tokens.refreshToken))._tag).to.equal('Unauthenticated');
      left(await h.logIn.execute({ identifier: { kind: 'email', value: user.email }, password: PASSWORD, client: { ip: null, userAgent: null } }));
      await h.logInAs(user, NEW);
      expect(h.events.all().filter((e) => e.type === 'password.changed').map((e) => e.subjectId)).to.deep.equal([user.id]);
    });

    it('refuses a wrong current password and keeps every session', async () => {
      const h = identityHarness();
      const user = await h.aUser();
      const here = await h.actorFor(user);
      const elsewhere = await h.actorFor(user);
      const error = left(await h.changePassword.execute(here.actor, { currentPassword: 'wrong-one', newPassword: NEW }));
      expect(error._tag === 'Validation' && error.issues[0]?.field).to.equal('current_password');
      right(await h.authenticate.execute(elsewhere.tokens.accessToken));
      await h.logInAs(user, PASSWORD);
    });

    it('changes nothing when the other sessions cannot be ended, so the same request can be retried', async () => {
      const h = identityHarness();
      const user = await h.aUser();
      const here = await h.actorFor(user);
      const elsewhere = await h.actorFor(user);
      const eventsBefore = h.events.all().length;
      const outage = sinon.stub(h.store, 'revokeAllForUser').rejects(new DependencyUnavailableError('redis'));
      const error = await h.changePassword.execute(here.actor, { currentPassword: PASSWORD, newPassword: NEW }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(DependencyUnavailableError);
      expect((await h.users.findById(user.id))?.passwordHash).to.equal(user.passwordHash);
      expect(h.events.all()).to.have.length(eventsBefore);
      await h.logInAs(user, PASSWORD);

      outage.restore();
      right(await h.changePassword.execute(here.actor, { currentPassword: PASSWORD, newPassword: NEW }));
      expect(left(await h.authenticate.execute(elsewhere.tokens.accessToken))._tag).to.equal('Unauthenticated');
      await h.logInAs(user, NEW);
    });

    it('applies the password policy to the new password', async () => {
      const h = identityHarness();
      const user = await h.aUser();
      const { actor } = await h.actorFor(user);
      for (const newPassword of ['short', 'password123', user.username]) {
        const error = left(await h.changePassword.execute(actor, { currentPassword: PASSWORD, newPassword }));
        expect(error._tag === 'Validation' && error.issues[0]?.field).to.equal('new_password');
      }
    });
  });
});
