import { expect } from 'chai';
import { identityHarness, left, right, PASSWORD } from './identity-harness.js';

describe('RegisterUser', () => {
  it('stores an active, unverified, non-admin taker with a lower-cased email and a hashed password', async () => {
    const h = identityHarness();
    const user = right(
      await h.register.execute({ email: ' Ann@Example.COM ', username: 'ann_lee', password: PASSWORD, fullName: 'Ann Lee' }),
    );
    expect(user).to.include({ email: 'ann@example.com', username: 'ann_lee', fullName: 'Ann Lee', role: 'taker' });
    expect(user).to.include({ isActive: true, isSuperuser: false, isVerified: false });
    expect(user.passwordHash).to.not.include(PASSWORD);
    expect(await h.users.findByEmail('ANN@example.com')).to.deep.equal(user);
    expect(h.events.all().map((e) => [e.type, e.subjectId])).to.deep.equal([['user.registered', user.id]]);
  });

  it('lets a user sign up as a giver', async () => {
    const h = identityHarness();
    const user = right(await h.register.execute({ email: 'g@example.com', username: 'giver1', password: PASSWORD, role: 'giver' }));
    expect(user.role).to.equal('giver');
  });

  it('refuses a taken email or username (case-insensitively) with Conflict and records nothing', async () => {
    const h = identityHarness();
    await h.aUser({ email: 'ann@example.com', username: 'ann' });
    const sameEmail = left(await h.register.execute({ email: 'ANN@example.com', username: 'other', password: PASSWORD }));
    const sameName = left(await h.register.execute({ email: 'b@example.com', username: 'ANN', password: PASSWORD }));
    expect(sameEmail._tag).to.equal('Conflict');
    expect(sameName._tag).to.equal('Conflict');
    expect(h.events.all()).to.have.length(1);
  });

  it('reports every invalid field at once', async () => {
    const h = identityHarness();
    const error = left(await h.register.execute({ email: 'not-an-email', username: 'a', password: 'short' }));
    expect(error._tag).to.equal('Validation');
    expect(error._tag === 'Validation' && error.issues.map((i) => i.field)).to.deep.equal(['email', 'username', 'password']);
    expect(await h.users.findByUsername('a')).to.equal(null);
  });

  it('refuses a common password and one equal to the username', async () => {
    const h = identityHarness();
    expect(left(await h.register.execute({ email: 'c@example.com', username: 'carol', password: 'iloveyou' }))._tag).to.equal('Validation');
    expect(left(await h.register.execute({ email: 'c@example.com', username: 'carol_smith', password: 'Carol_Smith' }))._tag)
      .to.equal('Validation');
  });
});
