import { expect } from 'chai';
import sinon from 'sinon';
import { DependencyUnavailableError } from '../../../core/shared/entities/errors.js';
import { CLIENT, identityHarness, left, PASSWORD, right } from './identity-harness.js';

describe('LogIn', () => {
  it('by email (any case) or by username, returns a bearer pair whose access token authenticates', async () => {
    const h = identityHarness();
    const user = await h.aUser({ email: 'ann@example.com', username: 'Ann_Lee' });
    for (const identifier of [
      { kind: 'email', value: 'ANN@example.com' },
      { kind: 'username', value: 'ann_lee' },
    ] as const) {
      const tokens = right(await h.logIn.execute({ identifier, password: PASSWORD, client: CLIENT }));
      expect(tokens).to.include({ tokenType: 'bearer', expiresIn: 900 });
      expect(Buffer.from(tokens.refreshToken, 'base64url')).to.have.length(32);
      const actor = right(await h.authenticate.execute(tokens.accessToken));
      expect(actor).to.include({ userId: user.id, role: 'taker', isAdmin: false });
    }
  });

  it('records the device of the session it opens', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const { actor } = await h.actorFor(user);
    const [session] = right(await h.listSessions.execute(actor));
    expect(session).to.include({ ip: CLIENT.ip, userAgent: CLIENT.userAgent, current: true });
  });

  it('records session.started with the device, and whether another active session already uses that device', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const login = async (userAgent: string | null) =>
      right(await h.logIn.execute({ identifier: { kind: 'email', value: user.email }, password: PASSWORD, client: { ip: CLIENT.ip, userAgent } }));
    await login(CLIENT.userAgent);
    await login(CLIENT.userAgent);
    await login('curl/8.0');
    await login(null);
    const started = h.events.all().filter((e) => e.type === 'session.started');
    expect(started.map((e) => [e.actorId, e.subjectId, e.data['user_agent'], e.data['ip'], e.data['known_device']])).to.deep.equal([
      [user.id, user.id, CLIENT.userAgent, CLIENT.ip, false],
      [user.id, user.id, CLIENT.userAgent, CLIENT.ip, true],
      [user.id, user.id, 'curl/8.0', CLIENT.ip, false],
      [user.id, user.id, null, CLIENT.ip, false],
    ]);
    expect(new Set(started.map((e) => e.data['session_id'])).size).to.equal(4);
  });

  it('hands out no token, and leaves no session open, when session.started cannot be recorded', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    sinon.stub(h.uow, 'run').rejects(new DependencyUnavailableError('database'));
    const error = await h.logIn.execute({ identifier: { kind: 'email', value: user.email }, password: PASSWORD, client: CLIENT }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DependencyUnavailableError);
    expect(await h.store.listActive(user.id, h.clock.now())).to.deep.equal([]);
  });

  it('gives an unknown user and a wrong password the identical error, and verifies a hash either way', async () => {
    const h = identityHarness();
    const user = await h.aUser();
    const before = h.hasher.verifications;
    const wrong = left(await h.logIn.execute({ identifier: { kind: 'email', value: user.email }, password: 'nope-nope', client: CLIENT }));
    const unknown = left(
      await h.logIn.execute({ identifier: { kind: 'email', value: 'ghost@example.com' }, password: 'nope-nope', client: CLIENT }),
    );
    expect(wrong).to.deep.equal(unknown);
    expect(wrong).to.deep.equal({ _tag: 'Unauthenticated', message: 'Invalid credentials' });
    expect(h.hasher.verifications - before).to.equal(2);
  });

  it('when the hasher refuses the dummy hash (busy: a 503), the next unknown-account login hashes it again instead of failing for good', async () => {
    const h = identityHarness();
    sinon.stub(h.hasher, 'hash').onFirstCall().rejects(new DependencyUnavailableError('password hashing')).callThrough();
    const ghost = () => h.logIn.execute({ identifier: { kind: 'email', value: 'ghost@example.com' }, password: 'nope-nope', client: CLIENT });
    expect(await ghost().then(() => null, (e: unknown) => e)).to.be.instanceOf(DependencyUnavailableError);
    expect(left(await ghost())).to.deep.equal({ _tag: 'Unauthenticated', message: 'Invalid credentials' });
  });

  it('refuses a disabled or deleted user with the same error even with the right password', async () => {
    const h = identityHarness();
    const admin = await h.actorFor(await h.aUser({ admin: true }));
    const disabled = await h.aUser();
    const deleted = await h.aUser();
    right(await h.updateUser.execute(admin.actor, disabled.id, { isActive: false }));
    right(await h.deleteUser.execute(admin.actor, deleted.id));
    for (const u of [disabled, deleted]) {
      const error = left(await h.logIn.execute({ identifier: { kind: 'email', value: u.email }, password: PASSWORD, client: CLIENT }));
      expect(error).to.deep.equal({ _tag: 'Unauthenticated', message: 'Invalid credentials' });
    }
  });

  describe('brute-force throttle', () => {
    const attempt = (h: ReturnType<typeof identityHarness>, value: string, password: string, ip = CLIENT.ip) =>
      h.logIn.execute({ identifier: { kind: 'email', value }, password, client: { ...CLIENT, ip } });

    it('answers RateLimited with a retry time after the configured number of failures, even for the right password', async () => {
      const h = identityHarness({}, 3);
      const user = await h.aUser();
      for (let i = 0; i < 3; i++) expect(left(await attempt(h, user.email, 'wrong-pass'))._tag).to.equal('Unauthenticated');
      const limited = left(await attempt(h, user.email, PASSWORD));
      expect(limited._tag).to.equal('RateLimited');
      expect(limited._tag === 'RateLimited' && limited.retryAfterSeconds).to.be.within(890, 900);
    });

    it('does not spend a password verification on a blocked attempt', async () => {
      const h = identityHarness({}, 2);
      const user = await h.aUser();
      await attempt(h, user.email, 'wrong-pass');
      await attempt(h, user.email, 'wrong-pass');
      const before = h.hasher.verifications;
      await attempt(h, user.email, PASSWORD);
      expect(h.hasher.verifications).to.equal(before);
    });

    it('throttles unknown accounts exactly like known ones', async () => {
      const h = identityHarness({}, 2);
      await attempt(h, 'ghost@example.com', 'wrong-pass');
      await attempt(h, 'ghost@example.com', 'wrong-pass');
      expect(left(await attempt(h, 'ghost@example.com', 'wrong-pass'))._tag).to.equal('RateLimited');
    });

    it('keys on account and client IP: another IP, or another account, is not blocked', async () => {
      const h = identityHarness({}, 2);
      const user = await h.aUser();
      const other = await h.aUser();
      await attempt(h, user.email, 'wrong-pass');
      await attempt(h, user.email, 'wrong-pass');
      right(await attempt(h, user.email, PASSWORD, '198.51.100.1'));
      right(await attempt(h, other.email, PASSWORD));
    });

    it('20 concurrent wrong guesses cost at most the allowed number of password verifications', async () => {
      const h = identityHarness({}, 3);
      const user = await h.aUser();
      const before = h.hasher.verifications;
      const results = await Promise.all(Array.from({ length: 20 }, () => attempt(h, user.email, 'wrong-pass')));
      expect(h.hasher.verifications - before).to.be.at.most(3);
      const tags = results.map((r) => left(r)._tag);
      expect(tags.filter((t) => t === 'Unauthenticated')).to.have.length(3);
      expect(tags.filter((t) => t === 'RateLimited')).to.have.length(17);
    });

    it('limits guesses at one account from rotating IPs too, with the same answer', async () => {
      const h = identityHarness({}, 2);
      const user = await h.aUser();
      // 10 times the per-IP limit, spread so that no single IP reaches its own limit.
      for (let i = 0; i < 20; i++) {
        expect(left(await attempt(h, user.email, 'wrong-pass', `198.51.100.${i}`))._tag).to.equal('Unauthenticated');
      }
      const before = h.hasher.verifications;
      const limited = left(await attempt(h, user.email, PASSWORD, '192.0.2.200'));
      expect(limited._tag).to.equal('RateLimited');
      expect(limited._tag === 'RateLimited' && limited.retryAfterSeconds).to.be.within(890, 900);
      expect(h.hasher.verifications).to.equal(before);
      // Only that account: another account from the same fresh IP is let in.
      right(await attempt(h, (await h.aUser()).email, PASSWORD, '192.0.2.200'));
    });

    it('a successful login gives back its account-wide attempt, so regular logins never lock the account', async () => {
      const h = identityHarness({}, 1);
      const user = await h.aUser();
      for (let i = 0; i < 15; i++) right(await attempt(h, user.email, PASSWORD, `198.51.100.${i}`));
      right(await attempt(h, user.email, PASSWORD));
    });

    it('throttles an unknown account across IPs exactly like a known one', async () => {
      const h = identityHarness({}, 1);
      for (let i = 0; i < 10; i++) await attempt(h, 'ghost@example.com', 'wrong-pass', `198.51.100.${i}`);
      const user = await h.aUser();
      for (let i = 0; i < 10; i++) await attempt(h, user.email, 'wrong-pass', `198.51.100.${i}`);
      const ghost = left(await attempt(h, 'ghost@example.com', 'wrong-pass', '192.0.2.1'));
      const known = left(await attempt(h, user.email, 'wrong-pass', '192.0.2.1'));
      expect(ghost._tag).to.equal('RateLimited');
      expect({ ...known, retryAfterSeconds: 0 }).to.deep.equal({ ...ghost, retryAfterSeconds: 0 });
    });

    it('forgets earlier failures after a successful login', async () => {
      const h = identityHarness({}, 3);
      const user = await h.aUser();
      await attempt(h, user.email, 'wrong-pass');
      await attempt(h, user.email, 'wrong-pass');
      right(await attempt(h, user.email, PASSWORD));
      await attempt(h, user.email, 'wrong-pass');
      await attempt(h, user.email, 'wrong-pass');
      right(await attempt(h, user.email, PASSWORD));
    });
  });
});
