import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { LogIn, LogInCommand } from '../../../core/identity/use-cases/log-in.js';
import type { LogOutEverywhere } from '../../../core/identity/use-cases/log-out-everywhere.js';
import type { LogOut } from '../../../core/identity/use-cases/log-out.js';
import type { RegisterUser } from '../../../core/identity/use-cases/register-user.js';
import type { RotateRefreshToken } from '../../../core/identity/use-cases/rotate-refresh-token.js';
import type { ClientInfo, TokenPair } from '../../../core/identity/entities/token-pair.js';
import type { User } from '../../../core/identity/entities/user.js';
import { boundedString, exactlyOneOf, strictObject } from '../codecs.js';
import { LOCATION, NO_STORE as NO_STORE_HEADERS } from '../response-headers.js';
import { withExample } from '../schema-registry.js';
import { created, HANDLED, noContent, ok, route, type AnyRoute, type RequestInfo } from '../route.js';
import { accountRoutes, type AccountUseCases } from './account.js';
import { sessionRoutes, type SessionUseCases } from './sessions.js';
import {
  EmailField,
  FullNameField,
  LoginEmailField,
  LoginUsernameField,
  NewPasswordField,
  PasswordField,
  Role,
  UsernameField,
  UserView,
  userView,
} from './user-view.js';
import type { Actor } from '../../../core/shared/entities/actor.js';

/** Signing up and in, tokens, signing out. */
export interface SignInUseCases {
  readonly register: RegisterUser;
  readonly logIn: LogIn;
  readonly refresh: RotateRefreshToken;
  readonly logOut: LogOut;
  readonly logOutEverywhere: LogOutEverywhere;
}

export interface AuthUseCases extends SignInUseCases, AccountUseCases, SessionUseCases {}

const TokensView = t.type({
  access_token: withExample(t.string, 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkyZjFjMi03YTNiLTdjNGQtOGU1Zi02YTdiOGM5ZDBlMWYifQ.c2lnbmF0dXJl'),
  refresh_token: withExample(t.string, 'Zk9xN2RrUjN2cWJ0WjBxY0N1T0xsQQ.3kq9xv1mYy0uWm1pQ3dPVEdNeUE'),
  token_type: t.literal('bearer'),
  expires_in: withExample(t.number, 900),
});
const tokensView = (p: TokenPair): t.TypeOf<typeof TokensView> => ({
  access_token: p.accessToken,
  refresh_token: p.refreshToken,
  token_type: p.tokenType,
  expires_in: p.expiresIn,
});
// RFC 6749 §5.1: token responses must not be cached by browsers or proxies.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const RegisterBody = strictObject('Register', { email: EmailField, username: UsernameField, password: NewPasswordField }, { full_name: FullNameField, role: Role });
const LoginBody = exactlyOneOf(
  strictObject('Login', { password: PasswordField }, { email: LoginEmailField, username: LoginUsernameField }),
  ['email', 'username'],
  'send exactly one of email or username',
);
/** What Swagger UI's OAuth2 password flow posts; client credentials and scopes are accepted and ignored. */
const TokenForm = t.intersection([
  t.type({ username: boundedString(1, 254, 'UsernameOrEmail'), password: PasswordField }),
  t.partial({ grant_type: t.literal('password'), scope: t.string, client_id: t.string, client_secret: t.string }),
]);
const RefreshBody = strictObject('Refresh', { refresh_token: boundedString(1, 512, 'RefreshToken') }, {});
const LogoutBody = strictObject('Logout', {}, { refresh_token: boundedString(1, 512, 'RefreshToken') });

const client = (r: RequestInfo): ClientInfo => ({ ip: r.ip, userAgent: r.userAgent });

/** The codec let through exactly one of email or username. */
const loginCommand = (body: t.TypeOf<typeof LoginBody>, r: RequestInfo): LogInCommand => {
  const identifier = body.email !== undefined ? { kind: 'email' as const, value: body.email } : { kind: 'username' as const, value: body.username! };
  return { identifier, password: body.password, client: client(r) };
};

const TOKENS_RESPONSES = {
  200: { description: 'A new token pair', data: TokensView, headers: NO_STORE_HEADERS },
  401: { description: 'Invalid credentials (the same answer for an unknown account and a wrong password)' },
  429: { description: 'Too many failed logins for this account from this address; Retry-After says when to retry' },
};

const signInRoutes = (uc: SignInUseCases): AnyRoute[] => [
  route({
    method: 'post',
    path: '/auth/register',
    summary: 'Create an account',
    description: 'Passwords: 8 to 128 characters, not a commonly used password, not the username or email. No composition rules.',
    tags: ['auth'],
    auth: 'none',
    body: RegisterBody,
    responses: { 201: { description: 'The new user', data: UserView, headers: { Location: LOCATION } }, 409: { description: 'Email or username already taken' } },
    handler: async ({ body }) => {
      const result = await uc.register.execute({ email: body.email, username: body.username, password: body.password, fullName: body.full_name, role: body.role });
      return E.map((u: User) => created(userView(u), { Location: `/api/v1/users/${u.id}` }))(result);
    },
  }),
  route({
    method: 'post',
    path: '/auth/login',
    summary: 'Log in with a password and an email or a username',
    tags: ['auth'],
    auth: 'none',
    body: LoginBody,
    responses: TOKENS_RESPONSES,
    handler: async ({ body, request }) => {
      return E.map((p: TokenPair) => ok(tokensView(p), NO_STORE))(await uc.logIn.execute(loginCommand(body, request)));
    },
  }),
  route({
    method: 'post',
    path: '/auth/token',
    summary: 'OAuth2 password grant (for Swagger UI\'s Authorize button)',
    description:
      'Form-encoded `username` (a username or an email) and `password`. Answers the usual envelope and, for OAuth2 clients, ' +
      'the same token fields at the top level.',
    tags: ['auth'],
    auth: 'none',
    body: TokenForm,
    bodyKind: 'form',
    responses: TOKENS_RESPONSES,
    handler: async ({ body, request, res }) => {
      const kind = body.username.includes('@') ? ('email' as const) : ('username' as const);
      const result = await uc.logIn.execute({ identifier: { kind, value: body.username }, password: body.password, client: client(request) });
      if (E.isLeft(result)) return result;
      const view = tokensView(result.right);
      for (const [name, value] of Object.entries(NO_STORE)) res.setHeader(name, value);
      // OAuth2 clients read access_token at the top level (RFC 6749 §5.1); envelope clients read data.
      res.status(200).json({ code: 200, message: 'success', data: view, ...view });
      return E.right(HANDLED);
    },
  }),
  route({
    method: 'post',
    path: '/auth/refresh',
    summary: 'Exchange a refresh token for a new pair',
    description:
      'The presented refresh token is spent. Presenting it again within a few seconds returns the same new pair\'s refresh token ' +
      '(a retry after a lost response); later, it ends the whole session (reuse detection).',
    tags: ['auth'],
    auth: 'none',
    body: RefreshBody,
    responses: { 200: TOKENS_RESPONSES[200], 401: { description: 'Unknown, spent, revoked or expired refresh token' } },
    handler: async ({ body }) => E.map((p: TokenPair) => ok(tokensView(p), NO_STORE))(await uc.refresh.execute(body.refresh_token)),
  }),
  route({
    method: 'post',
    path: '/auth/logout',
    summary: 'End this session',
    description: 'The session\'s refresh token and every access token of the session stop working at once. `refresh_token` is optional.',
    tags: ['auth'],
    auth: 'bearer',
    body: LogoutBody,
    responses: { 204: { description: 'Logged out' } },
    handler: async ({ actor }) => E.map(() => noContent())(await uc.logOut.execute(actor)),
  }),
  route({
    method: 'post',
    path: '/auth/logout-all',
    summary: 'End every session of the caller, this one included',
    tags: ['auth'],
    auth: 'bearer',
    responses: { 204: { description: 'Logged out everywhere' } },
    handler: async ({ actor }) => E.map(() => noContent())(await uc.logOutEverywhere.execute(actor)),
  }),
];

/** Every `/auth` route: signing up, in and out here; the caller's account and sessions in their own files. */
/**
 * `userReadFor(actor)`: the user row authentication read for this request's actor, when the
 * composition kept it, so `GET /auth/me` does not read the same row twice.
 */
export const authRoutes = (uc: AuthUseCases, userReadFor: (actor: Actor) => User | null = () => null): AnyRoute[] => [
  ...signInRoutes(uc),
  ...accountRoutes(uc, userReadFor),
  ...sessionRoutes(uc),
];
