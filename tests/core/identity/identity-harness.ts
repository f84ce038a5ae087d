import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { RateLimiterFlexibleLoginThrottle } from '../../../adapters/rate-limiter-flexible/rate-limiter-flexible-login-throttle.js';
import { JsonwebtokenAccessTokens } from '../../../adapters/jsonwebtoken/jsonwebtoken-access-tokens.js';
import { MemoryEventOutbox } from '../../../adapters/memory/memory-event-outbox.js';
import { MemoryFileRepository } from '../../../adapters/memory/memory-file-repository.js';
import { MemoryRecordRepository } from '../../../adapters/memory/memory-record-repository.js';
import { MemoryTokenStore } from '../../../adapters/memory/memory-token-store.js';
import { MemoryIdempotencyStore } from '../../../adapters/memory/memory-idempotency-store.js';
import { MemoryUnitOfWork } from '../../../adapters/memory/memory-unit-of-work.js';
import { MemoryScheduleRepository } from '../../../adapters/memory/memory-schedule-repository.js';
import { MemoryUserRepository } from '../../../adapters/memory/memory-user-repository.js';
import { ZxcvbnCommonPasswords } from '../../../adapters/zxcvbn/zxcvbn-common-passwords.js';
import { AuthenticateAccessToken } from '../../../core/identity/use-cases/authenticate-access-token.js';
import { ChangePassword } from '../../../core/identity/use-cases/change-password.js';
import { CreateUser } from '../../../core/identity/use-cases/create-user.js';
import { DeleteUser } from '../../../core/identity/use-cases/delete-user.js';
import { GetUser } from '../../../core/identity/use-cases/get-user.js';
import { ListSessions } from '../../../core/identity/use-cases/list-sessions.js';
import { ListUsers } from '../../../core/identity/use-cases/list-users.js';
import { LogIn } from '../../../core/identity/use-cases/log-in.js';
import { loginThrottleSettings } from '../../../core/identity/ports/login-throttle.js';
import { LogOutEverywhere } from '../../../core/identity/use-cases/log-out-everywhere.js';
import { LogOut } from '../../../core/identity/use-cases/log-out.js';
import { PasswordPolicy } from '../../../core/identity/entities/password-policy.js';
import { RefreshTokenCrypto } from '../../../core/identity/entities/refresh-token-crypto.js';
import { RegisterUser, type RegisterUserCommand } from '../../../core/identity/use-cases/register-user.js';
import { RevokeSession } from '../../../core/identity/use-cases/revoke-session.js';
import { RotateRefreshToken } from '../../../core/identity/use-cases/rotate-refresh-token.js';
import { SessionStarter } from '../../../core/identity/use-cases/session-starter.js';
import { defaultSessionSettings, type SessionSettings } from '../../../core/identity/entities/session-settings.js';
import type { TokenPair } from '../../../core/identity/entities/token-pair.js';
import { UpdateUser } from '../../../core/identity/use-cases/update-user.js';
import type { User } from '../../../core/identity/entities/user.js';
import { UserFactory } from '../../../core/identity/use-cases/user-factory.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import { FastPasswordHasher } from '../../support/fast-password-hasher.js';
import { ManualClock } from '../../support/manual-clock.js';
import { left, right } from '../../support/builders.js';

export const PASSWORD = 'correct horse battery staple';
export const CLIENT = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (test)' };

/** Every identity use case wired on memory adapters, a manual clock and a fast hasher. */
export const identityHarness = (settings: Partial<SessionSettings> = {}, maxFailures = 10) => {
  const clock = new ManualClock();
  const ids = { next: () => uuidv7() };
  const sessionSettings = { ...defaultSessionSettings, ...settings };
  const users = new MemoryUserRepository();
  const events = new MemoryEventOutbox();
  const uow = new MemoryUnitOfWork({
    schedules: new MemoryScheduleRepository(),
    users,
    events,
    records: new MemoryRecordRepository(),
    files: new MemoryFileRepository(),
    idempotency: new MemoryIdempotencyStore().transactional,
  });
  const store = new MemoryTokenStore();
  const hasher = new FastPasswordHasher();
  const policy = new PasswordPolicy(new ZxcvbnCommonPasswords());
  const jwtSettings = { secret: randomBytes(32), issuer: 'portside', audience: 'portside-api', ttlSeconds: 900, clockToleranceSeconds: 5 };
  const accessTokens = new JsonwebtokenAccessTokens(jwtSettings, clock);
  const refreshTokens = new RefreshTokenCrypto(randomBytes(32));
  const throttle = RateLimiterFlexibleLoginThrottle.inMemory(loginThrottleSettings(maxFailures));
  const factory = new UserFactory(hasher, policy, ids, clock);
  const starter = new SessionStarter(users, store, accessTokens, refreshTokens, ids, clock, sessionSettings, uow);

  const h = {
    clock, users, uow, events, store, hasher, refreshTokens, accessTokens, sessionSettings,
    register: new RegisterUser(uow, factory, ids, clock),
    createUser: new CreateUser(uow, factory, ids, clock),
    logIn: new LogIn(users, hasher, throttle, starter),
    refresh: new RotateRefreshToken(store, users, accessTokens, refreshTokens, uow, ids, clock, sessionSettings),
    logOut: new LogOut(store, clock),
    logOutEverywhere: new LogOutEverywhere(store, clock),
    authenticate: new AuthenticateAccessToken(accessTokens, store, users, clock),
    getUser: new GetUser(users),
    listUsers: new ListUsers(users),
    updateUser: new UpdateUser(users, uow, hasher, store, ids, clock),
    changePassword: new ChangePassword(users, uow, hasher, policy, store, ids, clock),
    listSessions: new ListSessions(store, clock),
    revokeSession: new RevokeSession(store, clock),
    deleteUser: new DeleteUser(uow, store, ids, clock),

    /** A registered (optionally admin) user. */
    async aUser(overrides: Partial<RegisterUserCommand> & { admin?: boolean } = {}): Promise<User> {
      const n = Math.random().toString(36).slice(2, 10);
      const cmd = { email: `user-${n}@example.com`, username: `user_${n}`, password: PASSWORD, ...overrides };
      const created = overrides.admin
        ? await h.createUser.execute('operator', cmd)
        : await h.register.execute(cmd);
      return right(created);
    },

    async logInAs(user: User, password = PASSWORD): Promise<TokenPair> {
      return right(await h.logIn.execute({ identifier: { kind: 'email', value: user.email }, password, client: CLIENT }));
    },

    /** Logs in and authenticates: the Actor a request with this access token would carry. */
    async actorFor(user: User): Promise<{ actor: Actor; tokens: TokenPair }> {
      const tokens = await h.logInAs(user);
      return { actor: right(await h.authenticate.execute(tokens.accessToken)), tokens };
    },
  };
  return h;
};

export type IdentityHarness = ReturnType<typeof identityHarness>;

export { left, right };
