import { expect } from 'chai';
import sinon from 'sinon';
import { DependencyUnavailableError } from '../../../core/shared/errors.js';
import { CLIENT, identityHarness, left, PASSWORD, right, type IdentityHarness } from './identity-harness.js';

const NEW = 'a much better passphrase';
const INVALID = { _tag: 'Unauthenticated', message: 'Invalid credentials' };

const pauseNextCallAfter = <T extends object, K extends keyof T>(target: T, method: K) => {
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  target[method] = (async (...args: unknown[]) => {
    target[method] = original as T[K];
    const result = await original.apply(target, args);
    reach();
    await released;
    return result;
  }) as T[K];
  return { reached, release };
};

const logIn = (h: IdentityHarness, email: string) =>
  h.logIn.execute({ identifier: { kind: 'email', value: email }, password: PASSWORD, client: CLIENT });

describe('A login racing a password change', () => {
  it('verified the old password, the change committed, then the login opened its session: the login is refused and leaves no session', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor } = await h.actorFor(user);
    const verify = pauseNextCallAfter(h.hasher, 'verify');
    const login = logIn(h, user.email);
    await verify.reached;
    right(await h.changePassword.execute(actor, { currentPassword: PASSWORD, newPassword: NEW }));
    verify.release();
    expect(left(await login)).to.deep.equal(INVALID);
    expect(right(await h.listSessions.execute(actor)).map((s) => s.id)).to.deep.equal([actor.sessionId]);
  });

  it('opened its session between the first revoke and the commit: that session ends with the change', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor } = await h.actorFor(user);
    const revoke = pauseNextCallAfter(h.store, 'revokeAllForUser');
    const change = h.changePassword.execute(actor, { currentPassword: PASSWORD, newPassword: NEW });
    await revoke.reached;
    const stale = right(await logIn(h, user.email));
    revoke.release();
    right(await change);
    expect(left(await h.authenticate.execute(stale.accessToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.refresh.execute(stale.refreshToken))._tag).to.equal('Unauthenticated');
    expect(right(await h.listSessions.execute(actor)).map((s) => s.id)).to.deep.equal([actor.sessionId]);
  });

  it('verified the password, then an admin disabled the account: the login is refused and leaves no session', async () => {
    const h = identityHarness();
    const admin = await h.actorFor(await h.aUser({ admin: true }));
    const user = await h.aUser();
    const verify = pauseNextCallAfter(h.hasher, 'verify');
    const login = logIn(h, user.email);
    await verify.reached;
    right(await h.updateUser.execute(admin.actor, user.id, { isActive: false }));
    verify.release();
    expect(left(await login)).to.deep.equal(INVALID);
    expect(await h.store.listActive(user.id, h.clock.now())).to.deep.equal([]);
  });

  it('still answers success when only the revoke after the commit fails: the password is changed and cannot be sent again', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const here = await h.actorFor(user);
    const elsewhere = await h.actorFor(user);
    sinon.stub(h.store, 'revokeAllForUser').callThrough().onSecondCall().rejects(new DependencyUnavailableError('redis'));
    right(await h.changePassword.execute(here.actor, { currentPassword: PASSWORD, newPassword: NEW }));
    expect(left(await h.authenticate.execute(elsewhere.tokens.accessToken))._tag).to.equal('Unauthenticated');
    await h.logInAs(user, NEW);
  });
});
