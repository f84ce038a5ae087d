import { expect } from 'chai';
import { identityHarness, left, right } from './identity-harness.js';

describe('ListSessions and RevokeSession', () => {
  it('lists the caller\'s active sessions, newest first, marking the current one', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const older = await h.actorFor(user);
    h.clock.advanceSeconds(5);
    const newer = await h.actorFor(user);
    await h.actorFor(await h.aUser());
    const sessions = right(await h.listSessions.execute(older.actor));
    expect(sessions.map((s) => [s.id, s.current])).to.deep.equal([
      [newer.actor.sessionId, false],
      [older.actor.sessionId, true],
    ]);
  });

  it('leaves ended sessions out', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const keep = await h.actorFor(user);
    const gone = await h.actorFor(user);
    right(await h.logOut.execute(gone.actor));
    expect(right(await h.listSessions.execute(keep.actor)).map((s) => s.id)).to.deep.equal([keep.actor.sessionId]);
  });

  it('shows last use moving with each refresh', async () => {
    const h = identityHarness();
    const { actor, tokens } = await h.actorFor(await h.aUser());
    h.clock.advanceSeconds(3600);
    right(await h.refresh.execute(tokens.refreshToken));
    const [session] = right(await h.listSessions.execute(actor));
    expect(session!.lastUsedAt.getTime() - session!.createdAt.getTime()).to.equal(3600 * 1000);
  });

  it('revoking one of my sessions ends it (its access token fails next) and keeps the current one', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const here = await h.actorFor(user);
    const lostPhone = await h.actorFor(user);
    right(await h.revokeSession.execute(here.actor, lostPhone.actor.sessionId));
    expect(left(await h.authenticate.execute(lostPhone.tokens.accessToken))._tag).to.equal('Unauthenticated');
    expect(left(await h.refresh.execute(lostPhone.tokens.refreshToken))._tag).to.equal('Unauthenticated');
    right(await h.authenticate.execute(here.tokens.accessToken));
  });

  it('answers NotFound for someone else\'s session, and leaves it alone', async () => {
    const h = identityHarness();
    const me = await h.actorFor(await h.aUser());
    const other = await h.actorFor(await h.aUser());
    expect(left(await h.revokeSession.execute(me.actor, other.actor.sessionId))._tag).to.equal('NotFound');
    right(await h.authenticate.execute(other.tokens.accessToken));
  });

  it('answers NotFound for an unknown or already ended session', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const me = await h.actorFor(user);
    const gone = await h.actorFor(user);
    right(await h.revokeSession.execute(me.actor, gone.actor.sessionId));
    expect(left(await h.revokeSession.execute(me.actor, gone.actor.sessionId))._tag).to.equal('NotFound');
    expect(left(await h.revokeSession.execute(me.actor, '01890a5d-ac96-774b-bcce-b302099a8057'))._tag).to.equal('NotFound');
  });
});
