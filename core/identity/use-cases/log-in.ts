import * as E from 'fp-ts/lib/Either.js';
import { rateLimited, unauthenticated, type DomainError } from '../../shared/entities/errors.js';
import type { LoginThrottle } from '../ports/login-throttle.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SessionStarter } from './session-starter.js';
import type { ClientInfo, TokenPair } from '../entities/token-pair.js';
import type { UserRepository } from '../ports/user-repository.js';
import { normalizeEmail } from '../entities/user-fields.js';

export interface LogInCommand {
  readonly identifier: { readonly kind: 'email' | 'username'; readonly value: string };
  readonly password: string;
  readonly client: ClientInfo;
}

/** One message for every credential failure, so the answer never tells which accounts exist. */
export const INVALID_CREDENTIALS = 'Invalid credentials';

export class LogIn {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionStarter,
  ) {}

  async execute(cmd: LogInCommand): Promise<E.Either<DomainError, TokenPair>> {
    const { kind, value } = cmd.identifier;
    const key = { account: `${kind}:${kind === 'email' ? normalizeEmail(value) : value.toLowerCase()}`, ip: cmd.client.ip };
    // Spent before verifying: a check here and a count after the verification would let N
    // concurrent guesses all through before the first failure is counted.
    const wait = await this.throttle.consume(key);
    if (wait > 0) return E.left(rateLimited(wait, 'Too many failed logins; try again later'));

    const user = kind === 'email' ? await this.users.findByEmail(value.trim()) : await this.users.findByUsername(value);
    // Unknown accounts still pay for one verification, so response time does not reveal them.
    const matches = await this.hasher.verify(user?.passwordHash ?? (await this.dummy()), cmd.password);
    if (user === null || !matches || !user.isActive) return E.left(unauthenticated(INVALID_CREDENTIALS));
    await this.throttle.recordSuccess(key);
    const pair = await this.sessions.start(user, cmd.client);
    // The password verified above was changed meanwhile: it is as wrong as any other now.
    return pair === null ? E.left(unauthenticated(INVALID_CREDENTIALS)) : E.right(pair);
  }

  private dummy(): Promise<string> {
    // A refused hash (the hasher busy: a 503) is not kept, or every later unknown-account login would fail with it.
    this.dummyHash ??= this.hasher.hash('portside-dummy-password-for-equal-timing').catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    return this.dummyHash;
  }
}
