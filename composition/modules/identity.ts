import { createHmac } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { Argon2PasswordHasher } from '../../adapters/argon2/argon2-password-hasher.js';
import { authRoutes } from '../../adapters/http/routes/auth.js';
import { userRoutes } from '../../adapters/http/routes/users.js';
import { JsonwebtokenAccessTokens } from '../../adapters/jsonwebtoken/jsonwebtoken-access-tokens.js';
import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';
import { MemoryUserRepository } from '../../adapters/memory/memory-user-repository.js';
import { PostgresTokenStore } from '../../adapters/postgres/postgres-token-store.js';
import { PostgresUserRepository } from '../../adapters/postgres/postgres-user-repository.js';
import { RateLimiterFlexibleLoginThrottle } from '../../adapters/rate-limiter-flexible/rate-limiter-flexible-login-throttle.js';
import { ZxcvbnCommonPasswords } from '../../adapters/zxcvbn/zxcvbn-common-passwords.js';
import type { AccessTokens } from '../../core/identity/ports/access-tokens.js';
import { AuthenticateAccessToken } from '../../core/identity/use-cases/authenticate-access-token.js';
import { ChangePassword } from '../../core/identity/use-cases/change-password.js';
import { CreateUser } from '../../core/identity/use-cases/create-user.js';
import { DeleteUser } from '../../core/identity/use-cases/delete-user.js';
import { GetUser } from '../../core/identity/use-cases/get-user.js';
import { ListSessions } from '../../core/identity/use-cases/list-sessions.js';
import { ListUsers } from '../../core/identity/use-cases/list-users.js';
import { LogIn } from '../../core/identity/use-cases/log-in.js';
import { LogOutEverywhere } from '../../core/identity/use-cases/log-out-everywhere.js';
import { LogOut } from '../../core/identity/use-cases/log-out.js';
import { loginThrottleSettings, type LoginThrottle } from '../../core/identity/ports/login-throttle.js';
import type { PasswordHasher } from '../../core/identity/ports/password-hasher.js';
import { PasswordPolicy } from '../../core/identity/entities/password-policy.js';
import { RefreshTokenCrypto } from '../../core/identity/entities/refresh-token-crypto.js';
import { RegisterUser } from '../../core/identity/use-cases/register-user.js';
import { RevokeSession } from '../../core/identity/use-cases/revoke-session.js';
import { RotateRefreshToken } from '../../core/identity/use-cases/rotate-refresh-token.js';
import { SessionStarter } from '../../core/identity/use-cases/session-starter.js';
import type { SessionSettings } from '../../core/identity/entities/session-settings.js';
import type { TokenStore } from '../../core/identity/ports/token-store.js';
import { UpdateUser } from '../../core/identity/use-cases/update-user.js';
import type { UserRepository } from '../../core/identity/ports/user-repository.js';
import { UserFactory } from '../../core/identity/use-cases/user-factory.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import type { User } from '../../core/identity/entities/user.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import type { Config } from '../config.js';
import type { Infrastructure } from '../infrastructure.js';
import type { ModuleBinder } from '../module.js';
import { TOKENS, token } from '../tokens.js';

const moduleToken = <T>(name: string) => token<T>(`identity.${name}`);

export const IDENTITY = {
  TokenStore: moduleToken<TokenStore>('TokenStore'),
  PasswordHasher: moduleToken<PasswordHasher>('PasswordHasher'),
  AccessTokens: moduleToken<AccessTokens>('AccessTokens'),
  LoginThrottle: moduleToken<LoginThrottle>('LoginThrottle'),
  SessionStarter: moduleToken<SessionStarter>('SessionStarter'),
  UserFactory: moduleToken<UserFactory>('UserFactory'),
  CreateUser: moduleToken<CreateUser>('CreateUser'),
  /** Every identity use case (the CLI's seed uses registration). */
  UseCases: moduleToken<IdentityUseCases>('UseCases'),
};

/** Skew tolerated between the clocks of servers that issue and check access tokens. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** A key of its own for refresh-token successors, so the JWT key is never used for two things. */
const refreshKeyOf = (jwtSecret: string): Buffer => createHmac('sha256', jwtSecret).update('portside/refresh-token-successor/v1').digest();

const sessionSettingsOf = (config: Config): SessionSettings => ({
  absoluteLifetimeSeconds: config.auth.refreshTokenTtl,
  idleTimeoutSeconds: Math.min(config.auth.refreshIdleTimeout, config.auth.refreshTokenTtl),
  reuseGraceSeconds: config.auth.refreshReuseGrace,
});

/** Infrastructure the configuration asked for but that was not opened: a wiring bug, never a reason to fall back to memory. */
const missing = (setting: string, what: string): Error =>
  new Error(`${setting} but no ${what} connection was opened; refusing to fall back to memory`);

const userRepositoryOf = (config: Config, infra: Infrastructure): UserRepository => {
  switch (config.adapters.database) {
    case 'memory':
      return new MemoryUserRepository();
    case 'embedded':
    case 'postgres':
      if (!infra.database) throw missing(`DATABASE=${config.adapters.database}`, 'database');
      return new PostgresUserRepository(infra.database);
  }
};

const tokenStoreOf = async (config: Config, infra: Infrastructure): Promise<TokenStore> => {
  switch (config.adapters.sessions) {
    case 'memory':
      return new MemoryTokenStore();
    case 'redis': {
      if (!infra.redis) throw missing('SESSION_STORE=redis', 'Redis');
      // Loaded only when selected, like every Redis adapter (start-up of the other profiles).
      const { RedisTokenStore } = await import('../../adapters/redis/redis-token-store.js');
      return new RedisTokenStore(infra.redis, { keyPrefix: 'portside:' });
    }
    case 'postgres':
      if (!infra.database) throw missing('SESSION_STORE=postgres', 'database');
      return new PostgresTokenStore(infra.database);
  }
};

const loginThrottleOf = (config: Config, infra: Infrastructure): LoginThrottle => {
  const settings = loginThrottleSettings(config.auth.loginMaxFailures);
  switch (config.adapters.rateLimits) {
    case 'memory':
      return RateLimiterFlexibleLoginThrottle.inMemory(settings);
    case 'redis':
      if (!infra.redis) throw missing('RATE_LIMIT_STORE=redis', 'Redis');
      return RateLimiterFlexibleLoginThrottle.onRedis(infra.redis, settings, 'portside:login-fail');
  }
};

interface IdentityPorts {
  readonly users: UserRepository;
  readonly uow: UnitOfWork;
  readonly store: TokenStore;
  readonly hasher: PasswordHasher;
  readonly tokens: AccessTokens;
  readonly throttle: LoginThrottle;
  readonly starter: SessionStarter;
  readonly factory: UserFactory;
  readonly createUser: CreateUser;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly refreshTokens: RefreshTokenCrypto;
  readonly policy: PasswordPolicy;
  readonly settings: SessionSettings;
}

/** The use cases are plain objects over the ports: built once, together. */
const identityUseCases = (p: IdentityPorts) => ({
  register: new RegisterUser(p.uow, p.factory, p.ids, p.clock),
  logIn: new LogIn(p.users, p.hasher, p.throttle, p.starter),
  refresh: new RotateRefreshToken(p.store, p.users, p.tokens, p.refreshTokens, p.uow, p.ids, p.clock, p.settings),
  logOut: new LogOut(p.store, p.clock),
  logOutEverywhere: new LogOutEverywhere(p.store, p.clock),
  // One statement when the database keeps the sessions too; the two stores asked at once otherwise.
  authenticate: new AuthenticateAccessToken(p.tokens, p.store, p.users, p.clock, p.store instanceof PostgresTokenStore && p.users instanceof PostgresUserRepository ? p.store : undefined),
  getUser: new GetUser(p.users),
  updateUser: new UpdateUser(p.users, p.uow, p.hasher, p.store, p.ids, p.clock),
  changePassword: new ChangePassword(p.users, p.uow, p.hasher, p.policy, p.store, p.ids, p.clock),
  listSessions: new ListSessions(p.store, p.clock),
  revokeSession: new RevokeSession(p.store, p.clock),
  listUsers: new ListUsers(p.users),
  createUser: p.createUser,
  deleteUser: new DeleteUser(p.uow, p.store, p.ids, p.clock),
});

export type IdentityUseCases = ReturnType<typeof identityUseCases>;
const USE_CASES = IDENTITY.UseCases;

/** Identity: users, passwords, sessions and tokens; the authenticate function every bearer route uses. */
export const bindIdentity: ModuleBinder = async ({ container, config, infra }) => {
  const settings = sessionSettingsOf(config);
  const { memoryKib, iterations, parallelism } = config.auth.argon2;
  const refreshTokens = new RefreshTokenCrypto(refreshKeyOf(infra.jwtSecret));

  const tokenStore = await tokenStoreOf(config, infra);
  const throttle = loginThrottleOf(config, infra);
  container.bind(TOKENS.UserRepository).toConstantValue(userRepositoryOf(config, infra));
  container.bind(IDENTITY.TokenStore).toConstantValue(tokenStore);
  // Redis expires its keys by itself; the Postgres tables need sweeping.
  if (tokenStore instanceof PostgresTokenStore) {
    infra.maintenance.push({ name: 'expired sessions', run: (now) => tokenStore.purgeExpired(now) });
  }
  container.bind(IDENTITY.LoginThrottle).toConstantValue(throttle);
  container.bind(IDENTITY.PasswordHasher).toConstantValue(new Argon2PasswordHasher({ memoryCost: memoryKib, timeCost: iterations, parallelism }, config.auth.passwordHashing));
  container.bind(IDENTITY.AccessTokens).toResolvedValue(
    (clock: Clock) =>
      new JsonwebtokenAccessTokens(
        {
          secret: Buffer.from(infra.jwtSecret, 'utf8'),
          issuer: config.auth.issuer,
          audience: config.auth.audience,
          ttlSeconds: config.auth.accessTokenTtl,
          clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
        },
        clock,
      ),
    [TOKENS.Clock],
  );
  const policy = new PasswordPolicy(new ZxcvbnCommonPasswords());
  container.bind(IDENTITY.UserFactory).toResolvedValue(
    (hasher: PasswordHasher, ids: IdGenerator, clock: Clock) => new UserFactory(hasher, policy, ids, clock),
    [IDENTITY.PasswordHasher, TOKENS.IdGenerator, TOKENS.Clock],
  );
  container.bind(IDENTITY.SessionStarter).toResolvedValue(
    (users: UserRepository, store: TokenStore, tokens: AccessTokens, ids: IdGenerator, clock: Clock, uow: UnitOfWork) =>
      new SessionStarter(users, store, tokens, refreshTokens, ids, clock, settings, uow),
    [TOKENS.UserRepository, IDENTITY.TokenStore, IDENTITY.AccessTokens, TOKENS.IdGenerator, TOKENS.Clock, TOKENS.UnitOfWork],
  );
  container.bind(IDENTITY.CreateUser).toResolvedValue(
    (uow: UnitOfWork, factory: UserFactory, ids: IdGenerator, clock: Clock) => new CreateUser(uow, factory, ids, clock),
    [TOKENS.UnitOfWork, IDENTITY.UserFactory, TOKENS.IdGenerator, TOKENS.Clock],
  );

  container.bind(USE_CASES).toResolvedValue(
    (users, uow, store, hasher, tokens, throttle, starter, factory, createUser, ids, clock) =>
      identityUseCases({ users, uow, store, hasher, tokens, throttle, starter, factory, createUser, ids, clock, refreshTokens, policy, settings }),
    [
      TOKENS.UserRepository,
      TOKENS.UnitOfWork,
      IDENTITY.TokenStore,
      IDENTITY.PasswordHasher,
      IDENTITY.AccessTokens,
      IDENTITY.LoginThrottle,
      IDENTITY.SessionStarter,
      IDENTITY.UserFactory,
      IDENTITY.CreateUser,
      TOKENS.IdGenerator,
      TOKENS.Clock,
    ],
  );
  // The user row each request's authentication read, keyed by that request's own actor object (a
  // fresh one per call): GET /auth/me answers from it instead of reading the row again.
  const usersReadFor = new WeakMap<Actor, User>();
  container.bind(TOKENS.Authenticate).toResolvedValue(
    (uc: IdentityUseCases) => async (accessToken: string) => {
      const authenticated = await uc.authenticate.executeWithUser(accessToken);
      if (E.isLeft(authenticated)) return authenticated;
      usersReadFor.set(authenticated.right.actor, authenticated.right.user);
      return E.right(authenticated.right.actor);
    },
    [USE_CASES],
  );
  container.bind(TOKENS.Routes).toResolvedValue((uc: IdentityUseCases) => authRoutes(uc, (actor) => usersReadFor.get(actor) ?? null), [USE_CASES]);
  container
    .bind(TOKENS.Routes)
    .toResolvedValue(
      (uc: IdentityUseCases) => userRoutes({ list: uc.listUsers, create: uc.createUser, get: uc.getUser, update: uc.updateUser, remove: uc.deleteUser }),
      [USE_CASES],
    );
};
