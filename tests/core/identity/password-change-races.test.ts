import { expect } from 'chai';
import sinon from 'sinon';
import { DependencyUnavailableError } from '../../../core/shared/entities/errors.js';
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

  it('opened its session between the first revoke and the commit, and the revoke after the commit failed: the session is refused all the same', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor, tokens } = await h.actorFor(user);
    // The store answers the first revoke, then is unreachable exactly for the second one.
    sinon.stub(h.store, 'revokeAllForUser').callThrough().onSecondCall().rejects(new DependencyUnavailableError('redis'));
    const revoke = pauseNextCallAfter(h.store, 'revokeAllForUser');
    const change = h.changePassword.execute(actor, { currentPassword: PASSWORD, newPassword: NEW });
    await revoke.reached;
    const stale = right(await logIn(h, user.email));
    revoke.release();
    right(await change);
    // The store never revoked it: only the credential version says it is over.
    const staleId = (await h.accessTokens.verify(stale.accessToken))?.sid ?? '';
    expect(await h.store.findActive(staleId, h.clock.now())).to.not.equal(null);
    expect(left(await h.authenticate.execute(stale.accessToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.refresh.execute(stale.refreshToken))._tag).to.equal('Unauthenticated');
    expect(right(await h.listSessions.execute(actor)).map((s) => s.id)).to.deep.equal([actor.sessionId]);
    // The session that changed the password carries on, and the new password opens new ones.
    right(await h.authenticate.execute(tokens.accessToken));
    right(await h.refresh.execute(tokens.refreshToken));
    await h.logInAs(user, NEW);
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

  it('the session that changed the password ends too when the store fails to re-stamp it, and the new password works', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor, tokens } = await h.actorFor(user);
    sinon.stub(h.store, 'setCredentialVersion').rejects(new DependencyUnavailableError('redis'));
    right(await h.changePassword.execute(actor, { currentPassword: PASSWORD, newPassword: NEW }));
    expect(left(await h.authenticate.execute(tokens.accessToken))._tag).to.equal('Unauthenticated');
    await h.logInAs(user, NEW);
  });

  it('two changes from two sessions at once: the one that verified a password already replaced is refused', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const here = await h.actorFor(user);
    const there = await h.actorFor(user);
    const verify = pauseNextCallAfter(h.hasher, 'verify');
    const late = h.changePassword.execute(there.actor, { currentPassword: PASSWORD, newPassword: 'the late passphrase here' });
    await verify.reached;
    right(await h.changePassword.execute(here.actor, { currentPassword: PASSWORD, newPassword: NEW }));
    verify.release();
    expect(left(await late)).to.deep.include({ _tag: 'Validation' });
    await h.logInAs(user, NEW);
    expect(left(await h.logIn.execute({ identifier: { kind: 'email', value: user.email }, password: 'the late passphrase here', client: CLIENT }))).to.deep.equal(INVALID);
  });
});

describe('Disabling an account whose sessions the store failed to revoke', () => {
  it('keeps those sessions ended when the account is enabled again', async () => {
    const h = identityHarness();
    const admin = await h.actorFor(await h.aUser({ admin: true }));
    const user = await h.aUser();
    const { tokens } = await h.actorFor(user);
    sinon.stub(h.store, 'revokeAllForUser').rejects(new DependencyUnavailableError('redis'));
    await h.updateUser.execute(admin.actor, user.id, { isActive: false }).catch(() => undefined);
    sinon.restore();
    expect(left(await h.authenticate.execute(tokens.accessToken))._tag).to.equal('Unauthenticated');
    right(await h.updateUser.execute(admin.actor, user.id, { isActive: true }));
    expect(left(await h.authenticate.execute(tokens.accessToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.refresh.execute(tokens.refreshToken))._tag).to.equal('Unauthenticated');
    await h.logInAs(user);
  });
});
