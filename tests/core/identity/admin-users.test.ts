import { expect } from 'chai';
import { identityHarness, left, PASSWORD, right } from './identity-harness.js';

const firstPage = { page: 1, size: 20 };

describe('User administration', () => {
  describe('ListUsers', () => {
    it('is Forbidden to non-admins', async () => {
      const h = identityHarness();
      const { actor } = await h.actorFor(await h.aUser());
      const query = { filter: {}, sort: { field: 'created_at' as const, direction: 'asc' as const }, page: firstPage };
      expect(left(await h.listUsers.execute(actor, query))._tag).to.equal('Forbidden');
    });

    it('filters by q (email, username or name), role and is_active; sorts; pages; hides deleted users', async () => {
      const h = identityHarness();
      const admin = await h.actorFor(await h.aUser({ admin: true, username: 'admin0', email: 'root@corp.example' }));
      h.clock.advanceSeconds(1);
      const bob = await h.aUser({ username: 'bob', email: 'bob@example.com', role: 'giver' });
      h.clock.advanceSeconds(1);
      const carol = await h.aUser({ username: 'carol', email: 'c@example.com', fullName: 'Carol Bobbins' });
      h.clock.advanceSeconds(1);
      const dave = await h.aUser({ username: 'dave', email: 'dave@example.com' });
      const gone = await h.aUser({ username: 'bobby_gone', email: 'gone@example.com' });
      right(await h.updateUser.execute(admin.actor, dave.id, { isActive: false }));
      right(await h.deleteUser.execute(admin.actor, gone.id));
      const names = async (filter: object, field: 'created_at' | 'email' | 'username' = 'created_at', direction: 'asc' | 'desc' = 'asc', page = firstPage) =>
        right(await h.listUsers.execute(admin.actor, { filter, sort: { field, direction }, page })).items.map((u) => u.username);

      expect(await names({ q: 'BOB' })).to.deep.equal([bob.username, carol.username]);
      expect(await names({ role: 'giver' })).to.deep.equal(['bob']);
      expect(await names({ isActive: false })).to.deep.equal(['dave']);
      expect(await names({}, 'created_at', 'desc')).to.deep.equal(['dave', 'carol', 'bob', 'admin0']);
      expect(await names({}, 'email')).to.deep.equal(['bob', 'carol', 'dave', 'admin0']);
      expect(await names({}, 'username', 'desc')).to.deep.equal(['dave', 'carol', 'bob', 'admin0']);
      const page2 = right(await h.listUsers.execute(admin.actor, { filter: {}, sort: { field: 'username', direction: 'asc' }, page: { page: 2, size: 3 } }));
      expect([page2.total, page2.items.map((u) => u.username)]).to.deep.equal([4, ['dave']]);
    });

    it('pages by cursor, and refuses a page size over 100, a page below 1 and a cursor from another sort', async () => {
      const h = identityHarness();
      const admin = await h.actorFor(await h.aUser({ admin: true, username: 'admin0' }));
      for (const username of ['bob', 'carol']) await h.aUser({ username });
      const byName = { field: 'username' as const, direction: 'asc' as const };
      const list = (sort: typeof byName | { field: 'email'; direction: 'asc' }, page: { page: number; size: number; cursor?: string }) =>
        h.listUsers.execute(admin.actor, { filter: {}, sort, page });
      const first = right(await list(byName, { page: 1, size: 2 }));
      const rest = right(await list(byName, { page: 1, size: 2, cursor: first.nextCursor! }));
      expect([...first.items, ...rest.items].map((u) => u.username)).to.deep.equal(['admin0', 'bob', 'carol']);
      expect(rest.nextCursor).to.equal(null);
      const field = async (result: ReturnType<typeof list>) => {
        const e = left(await result);
        return e._tag === 'Validation' ? e.issues[0]?.field : e._tag;
      };
      expect(await field(list(byName, { page: 1, size: 101 }))).to.equal('size');
      expect(await field(list(byName, { page: 0, size: 10 }))).to.equal('page');
      expect(await field(list({ field: 'email', direction: 'asc' }, { page: 1, size: 2, cursor: first.nextCursor! }))).to.equal('cursor');
    });
  });

  describe('CreateUser', () => {
    it('lets an admin set role, is_active and is_superuser', async () => {
      const h = identityHarness();
      const admin = await h.actorFor(await h.aUser({ admin: true }));
      const made = right(
        await h.createUser.execute(admin.actor, { email: 'x@example.com', username: 'xavier', password: PASSWORD, role: 'giver', isSuperuser: true, isActive: false }),
      );
      expect(made).to.include({ role: 'giver', isSuperuser: true, isActive: false, isVerified: false });
      expect(h.events.all().at(-1)).to.include({ type: 'user.created', actorId: admin.actor.userId, subjectId: made.id });
    });

    it('is Forbidden to non-admins', async () => {
      const h = identityHarness();
      const { actor } = await h.actorFor(await h.aUser());
      const error = left(await h.createUser.execute(actor, { email: 'x@example.com', username: 'xavier', password: PASSWORD }));
      expect(error._tag).to.equal('Forbidden');
      expect(await h.users.findByUsername('xavier')).to.equal(null);
    });

    it('run by the operator (CLI), makes an active, verified superuser, still under the password policy', async () => {
      const h = identityHarness();
      const admin = right(await h.createUser.execute('operator', { email: 'root@example.com', username: 'root', password: PASSWORD }));
      expect(admin).to.include({ isSuperuser: true, isActive: true, isVerified: true });
      expect(left(await h.createUser.execute('operator', { email: 'r2@example.com', username: 'root2', password: 'password' }))._tag)
        .to.equal('Validation');
    });
  });

  describe('UpdateUser and DeleteUser by an admin', () => {
    it('reads and updates anyone, including role and admin flags', async () => {
      const h = identityHarness();
      const admin = await h.actorFor(await h.aUser({ admin: true }));
      const user = await h.aUser();
      expect(right(await h.getUser.execute(admin.actor, user.id)).id).to.equal(user.id);
      const updated = right(await h.updateUser.execute(admin.actor, user.id, { role: 'giver', isSuperuser: true, email: 'moved@example.com' }));
      expect(updated).to.include({ role: 'giver', isSuperuser: true, email: 'moved@example.com' });
    });

    it('disabling a user ends all their sessions; enabling again does not bring them back', async () => {
      const h = identityHarness();
      const admin = await h.actorFor(await h.aUser({ admin: true }));
      const user = await h.aUser();
      const one = await h.logInAs(user);
      const two = await h.logInAs(user);
      right(await h.updateUser.execute(admin.actor, user.id, { isActive: false }));
      right(await h.updateUser.execute(admin.actor, user.id, { isActive: true }));
      for (const t of [one, two]) {
        expect(left(await h.authenticate.execute(t.accessToken))._tag).to.equal('Unauthenticated');
        expect(left(await h.refresh.execute(t.refreshToken))._tag).to.equal('Unauthenticated');
      }
      await h.logInAs(user);
    });

    it('soft-deletes anyone: sessions end, reads see nothing, an audit event is recorded', async () => {
      const h = identityHarness();
      const admin = await h.actorFor(await h.aUser({ admin: true }));
      const user = await h.aUser();
      const tokens = await h.logInAs(user);
      right(await h.deleteUser.execute(admin.actor, user.id));
      expect(left(await h.refresh.execute(tokens.refreshToken))._tag).to.equal('Unauthenticated');
      expect(left(await h.getUser.execute(admin.actor, user.id))._tag).to.equal('NotFound');
      expect(left(await h.deleteUser.execute(admin.actor, user.id))._tag).to.equal('NotFound');
      expect(h.events.all().at(-1)).to.include({ type: 'user.deleted', actorId: admin.actor.userId, subjectId: user.id });
    });
  });

  describe('the last active administrator', () => {
    const LAST = 'The last active administrator cannot be disabled, demoted or deleted';

    it('cannot disable, demote or delete themselves when they are the only one; nothing changes', async () => {
      const h = identityHarness();
      const admin = await h.actorFor(await h.aUser({ admin: true }));
      const eventsBefore = h.events.all().length;
      for (const patch of [{ isActive: false }, { isSuperuser: false }, { fullName: 'Leaving', isActive: false, isSuperuser: false }]) {
        expect(left(await h.updateUser.execute(admin.actor, admin.actor.userId, patch))).to.deep.equal({ _tag: 'BusinessRule', message: LAST });
      }
      expect(left(await h.deleteUser.execute(admin.actor, admin.actor.userId))).to.deep.equal({ _tag: 'BusinessRule', message: LAST });
      expect(await h.users.findById(admin.actor.userId)).to.include({ isActive: true, isSuperuser: true, deletedAt: null, fullName: null });
      expect(h.events.all()).to.have.length(eventsBefore);
      expect(right(await h.authenticate.execute(admin.tokens.accessToken)).isAdmin).to.equal(true);
      // Patches that leave them an active admin still go through.
      expect(right(await h.updateUser.execute(admin.actor, admin.actor.userId, { fullName: 'Still Here', isActive: true, isSuperuser: true })).fullName).to.equal('Still Here');
    });

    it('with two admins one may be demoted; then the other can neither be demoted, disabled nor deleted', async () => {
      const h = identityHarness();
      const first = await h.actorFor(await h.aUser({ admin: true }));
      const second = await h.actorFor(await h.aUser({ admin: true }));
      expect(right(await h.updateUser.execute(first.actor, second.actor.userId, { isSuperuser: false })).isSuperuser).to.equal(false);
      expect(right(await h.authenticate.execute(second.tokens.accessToken)).isAdmin).to.equal(false);
      for (const patch of [{ isSuperuser: false }, { isActive: false }]) {
        expect(left(await h.updateUser.execute(first.actor, first.actor.userId, patch))._tag).to.equal('BusinessRule');
      }
      expect(left(await h.deleteUser.execute(first.actor, first.actor.userId))._tag).to.equal('BusinessRule');
      // Users who are not admins are disabled and deleted as before.
      right(await h.updateUser.execute(first.actor, second.actor.userId, { isActive: false }));
      right(await h.deleteUser.execute(first.actor, second.actor.userId));
      expect(await h.users.findById(first.actor.userId)).to.include({ isActive: true, isSuperuser: true });
    });

    it('counts only active admins: a disabled superuser does not keep the last one removable until re-enabled', async () => {
      const h = identityHarness();
      const first = await h.actorFor(await h.aUser({ admin: true }));
      const second = await h.aUser({ admin: true });
      right(await h.updateUser.execute(first.actor, second.id, { isActive: false }));
      expect(left(await h.updateUser.execute(first.actor, first.actor.userId, { isSuperuser: false }))._tag).to.equal('BusinessRule');
      right(await h.updateUser.execute(first.actor, second.id, { isActive: true }));
      expect(right(await h.updateUser.execute(first.actor, first.actor.userId, { isSuperuser: false })).isSuperuser).to.equal(false);
    });
  });
});
