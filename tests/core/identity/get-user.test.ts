import { expect } from 'chai';
import sinon from 'sinon';
import { identityHarness, left, right } from './identity-harness.js';

describe('GetUser with the row authentication read in the same request', () => {
  it('answers the caller\'s own profile from that row without reading it again', async () => {
    const h = identityHarness();
    const { tokens } = await h.actorFor(await h.aUser());
    const { actor, user } = right(await h.authenticate.executeWithUser(tokens.accessToken));
    const findById = sinon.spy(h.users, 'findById');
    expect(right(await h.getUser.execute(actor, actor.userId, user))).to.deep.equal(user);
    expect(findById.callCount).to.equal(0);
  });

  it('reads the user when the row given is not the one asked for, or none is given', async () => {
    const h = identityHarness();
    const admin = await h.actorFor(await h.aUser({ admin: true }));
    const other = await h.aUser();
    const { actor, user } = right(await h.authenticate.executeWithUser(admin.tokens.accessToken));
    const findById = sinon.spy(h.users, 'findById');
    expect(right(await h.getUser.execute(actor, other.id, user)).id).to.equal(other.id);
    expect(right(await h.getUser.execute(actor, actor.userId)).id).to.equal(actor.userId);
    expect(findById.callCount).to.equal(2);
  });

  it('still refuses another user\'s profile to a non-admin, whatever row is given', async () => {
    const h = identityHarness();
    const me = await h.actorFor(await h.aUser());
    const other = await h.aUser();
    expect(left(await h.getUser.execute(me.actor, other.id, other))._tag).to.equal('NotFound');
  });
});
