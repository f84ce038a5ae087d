import { expect } from 'chai';
import sinon from 'sinon';
import { identityHarness, left, right } from './identity-harness.js';

const DAY = 86_400;

describe('RotateRefreshToken', () => {
  it('returns a new pair whose access and refresh tokens both work', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const first = await h.logInAs(user);
    const second = right(await h.refresh.execute(first.refreshToken));
    expect(second.refreshToken).to.not.equal(first.refreshToken);
    expect(second.accessToken).to.not.equal(first.accessToken);
    expect(right(await h.authenticate.execute(second.accessToken)).userId).to.equal(user.id);
    right(await h.refresh.execute(second.refreshToken));
  });

  it('keeps the session id across rotations', async () => {
    const h = identityHarness();
    const { actor, tokens } = await h.actorFor(await h.aUser());
    const next = right(await h.refresh.execute(tokens.refreshToken));
    expect(right(await h.authenticate.execute(next.accessToken)).sessionId).to.equal(actor.sessionId);
  });

  it('replays within the grace window return the same successor, and the session survives', async () => {
    const h = identityHarness({ reuseGraceSeconds: 10 });
    const tokens = await h.logInAs(await h.aUser());
    const a = right(await h.refresh.execute(tokens.refreshToken));
    h.clock.advanceSeconds(9);
    const b = right(await h.refresh.execute(tokens.refreshToken));
    expect(b.refreshToken).to.equal(a.refreshToken);
    right(await h.refresh.execute(b.refreshToken));
  });

  it('reuse after the grace window ends the whole family: every token and access token of the session stops working', async () => {
    const h = identityHarness({ reuseGraceSeconds: 10 });
    const user = await h.aUser();
    const stolen = await h.logInAs(user);
    const legit = right(await h.refresh.execute(stolen.refreshToken));
    h.clock.advanceSeconds(11);
    expect(left(await h.refresh.execute(stolen.refreshToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.refresh.execute(legit.refreshToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.authenticate.execute(legit.accessToken))._tag).to.equal('Unauthenticated');
    expect(h.events.all().map((e) => [e.type, e.subjectId])).to.deep.include(['session.reuse_detected', user.id]);
  });

  it('reuse ends only that family: the user\'s other sessions keep working', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const laptop = await h.logInAs(user);
    const phone = await h.logInAs(user);
    right(await h.refresh.execute(laptop.refreshToken));
    h.clock.advanceSeconds(60);
    left(await h.refresh.execute(laptop.refreshToken));
    right(await h.refresh.execute(phone.refreshToken));
  });

  it('an idle session expires: no refresh for longer than the idle timeout', async () => {
    const h = identityHarness({ idleTimeoutSeconds: 7 * DAY });
    const tokens = await h.logInAs(await h.aUser());
    h.clock.advanceSeconds(7 * DAY + 1);
    expect(left(await h.refresh.execute(tokens.refreshToken))._tag).to.equal('Unauthenticated');
  });

  it('each refresh pushes the idle deadline, but never past the absolute lifetime', async () => {
    const h = identityHarness({ idleTimeoutSeconds: 7 * DAY, absoluteLifetimeSeconds: 30 * DAY });
    let token = (await h.logInAs(await h.aUser())).refreshToken;
    for (let day = 6; day <= 24; day += 6) {
      h.clock.advanceSeconds(6 * DAY);
      token = right(await h.refresh.execute(token)).refreshToken;
    }
    h.clock.advanceSeconds(6 * DAY + 1); // day 30 + 1 s: within idle, past absolute
    expect(left(await h.refresh.execute(token))._tag).to.equal('Unauthenticated');
  });

  it('refuses an unknown token, an access token, and a token of a disabled user', async () => {
    const h = identityHarness();
    const admin = await h.actorFor(await h.aUser({ admin: true }));
    const user = await h.aUser();
    const tokens = await h.logInAs(user);
    expect(left(await h.refresh.execute('not-a-token'))._tag).to.equal('Unauthenticated');
    expect(left(await h.refresh.execute(tokens.accessToken))._tag).to.equal('Unauthenticated');
    right(await h.updateUser.execute(admin.actor, user.id, { isActive: false }));
    expect(left(await h.refresh.execute(tokens.refreshToken))._tag).to.equal('Unauthenticated');
  });

  it('hands the store only SHA-256 hashes, never a refresh token itself', async () => {
    const h = identityHarness();
    const create = sinon.spy(h.store, 'create');
    const rotate = sinon.spy(h.store, 'rotate');
    const tokens = await h.logInAs(await h.aUser());
    const next = right(await h.refresh.execute(tokens.refreshToken));
    const seen = JSON.stringify([create.args, rotate.args]);
    expect(seen).to.not.include(tokens.refreshToken);
    expect(seen).to.not.include(next.refreshToken);
    expect(create.firstCall.args[0].tokenHash).to.match(/^[0-9a-f]{64}$/);
    expect(rotate.firstCall.args[0].successorHash).to.equal(h.refreshTokens.hash(next.refreshToken));
  });
});
