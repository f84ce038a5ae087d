import { expect } from 'chai';
import { identityHarness, left, right } from './identity-harness.js';

describe('AuthenticateAccessToken', () => {
  it('returns the Actor: user, session, role and admin flag', async () => {
    const h = identityHarness();
    const user = await h.aUser({ admin: true });
    const tokens = await h.logInAs(user);
    const actor = right(await h.authenticate.execute(tokens.accessToken));
    expect(actor).to.include({ userId: user.id, role: user.role, isAdmin: true });
    expect(actor.sessionId).to.be.a('string');
  });

  it('refuses garbage and an expired access token', async () => {
    const h = identityHarness();
    const tokens = await h.logInAs(await h.aUser());
    expect(left(await h.authenticate.execute('garbage'))._tag).to.equal('Unauthenticated');
    h.clock.advanceSeconds(900 + 6); // TTL plus the 5 s skew tolerance
    expect(left(await h.authenticate.execute(tokens.accessToken))._tag).to.equal('Unauthenticated');
  });

  it('logout makes the still-unexpired access token fail on the next request', async () => {
    const h = identityHarness();
    const { actor, tokens } = await h.actorFor(await h.aUser());
    right(await h.logOut.execute(actor));
    expect(left(await h.authenticate.execute(tokens.accessToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.refresh.execute(tokens.refreshToken))._tag).to.equal('Unauthenticated');
  });

  it('logout ends only the current session', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const one = await h.actorFor(user);
    const two = await h.actorFor(user);
    right(await h.logOut.execute(one.actor));
    right(await h.authenticate.execute(two.tokens.accessToken));
  });

  it('logout everywhere ends every session of the user, including the current one, and no one else\'s', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const bystander = await h.actorFor(await h.aUser());
    const one = await h.actorFor(user);
    const two = await h.actorFor(user);
    right(await h.logOutEverywhere.execute(one.actor));
    for (const t of [one.tokens, two.tokens]) {
      expect(left(await h.authenticate.execute(t.accessToken))._tag).to.equal('Unauthenticated');
      expect(left(await h.refresh.execute(t.refreshToken))._tag).to.equal('Unauthenticated');
    }
    right(await h.authenticate.execute(bystander.tokens.accessToken));
  });

  it('sees role and admin changes at once, without a new token', async () => {
    const h = identityHarness();
    const admin = await h.actorFor(await h.aUser({ admin: true }));
    const user = await h.aUser();
    const { tokens } = await h.actorFor(user);
    right(await h.updateUser.execute(admin.actor, user.id, { role: 'giver', isSuperuser: true }));
    expect(right(await h.authenticate.execute(tokens.accessToken))).to.include({ role: 'giver', isAdmin: true });
  });

  it('refuses the access token of a disabled or deleted user at once', async () => {
    const h = identityHarness();
    const admin = await h.actorFor(await h.aUser({ admin: true }));
    const disabled = await h.actorFor(await h.aUser());
    const deleted = await h.actorFor(await h.aUser());
    right(await h.updateUser.execute(admin.actor, disabled.actor.userId, { isActive: false }));
    right(await h.deleteUser.execute(admin.actor, deleted.actor.userId));
    expect(left(await h.authenticate.execute(disabled.tokens.accessToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.authenticate.execute(deleted.tokens.accessToken))._tag).to.equal('Unauthenticated');
  });

  it('refuses a token whose session belongs to someone else (a forged sid with a valid signature)', async () => {
    const h = identityHarness();
    const mallory = await h.actorFor(await h.aUser());
    const victim = await h.actorFor(await h.aUser());
    const forged = await h.accessTokens.issue({ sub: mallory.actor.userId, sid: victim.actor.sessionId });
    expect(left(await h.authenticate.execute(forged.token))._tag).to.equal('Unauthenticated');
  });
});
