import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { ChangePassword } from '../../../core/identity/use-cases/change-password.js';
import type { GetUser } from '../../../core/identity/use-cases/get-user.js';
import type { ListSessions, SessionView } from '../../../core/identity/use-cases/list-sessions.js';
import type { LogIn, LogInCommand } from '../../../core/identity/use-cases/log-in.js';
import type { LogOutEverywhere } from '../../../core/identity/use-cases/log-out-everywhere.js';
import type { LogOut } from '../../../core/identity/use-cases/log-out.js';
import type { RegisterUser } from '../../../core/identity/use-cases/register-user.js';
import type { RevokeSession } from '../../../core/identity/use-cases/revoke-session.js';
import type { RotateRefreshToken } from '../../../core/identity/use-cases/rotate-refresh-token.js';
import type { ClientInfo, TokenPair } from '../../../core/identity/entities/token-pair.js';
import type { UpdateUser } from '../../../core/identity/use-cases/update-user.js';
import type { User } from '../../../core/identity/entities/user.js';
import { invalidField, notFound, type DomainError } from '../../../core/shared/entities/errors.js';
import { isUuid } from '../../../core/shared/ports/ids.js';
import { boundedString, Page as PageNumber, Size, strictObject } from '../codecs.js';
import { PageMetaView } from '../page-view.js';
import { created, HANDLED, noContent, ok, route, type AnyRoute, type RequestInfo } from '../route.js';
import { EmailField, FullNameField, PasswordField, Role, UsernameField, UserView, userView } from './user-view.js';

export interface AuthUseCases {
  readonly register: RegisterUser;
  readonly logIn: LogIn;
  readonly refresh: RotateRefreshToken;
  readonly logOut: LogOut;
  readonly logOutEverywhere: LogOutEverywhere;
  readonly getUser: GetUser;
  readonly updateUser: UpdateUser;
  readonly changePassword: ChangePassword;
  readonly listSessions: ListSessions;
  readonly revokeSession: RevokeSession;
}

const TokensView = t.type({ access_token: t.string, refresh_token: t.string, token_type: t.literal('bearer'), expires_in: t.number });
const tokensView = (p: TokenPair): t.TypeOf<typeof TokensView> => ({
  access_token: p.accessToken,
  refresh_token: p.refreshToken,
  token_type: p.tokenType,
  expires_in: p.expiresIn,
});
// RFC 6749 §5.1: token responses must not be cached by browsers or proxies.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const SessionItem = t.type({
  id: t.string,
  created_at: t.string,
  last_used_at: t.string,
  user_agent: t.union([t.string, t.null]),
  ip: t.union([t.string, t.null]),
  current: t.boolean,
});
const sessionItem = (s: SessionView): t.TypeOf<typeof SessionItem> => ({
  id: s.id,
  created_at: s.createdAt.toISOString(),
  last_used_at: s.lastUsedAt.toISOString(),
  user_agent: s.userAgent,
  ip: s.ip,
  current: s.current,
});

const RegisterBody = strictObject('Register', { email: EmailField, username: UsernameField, password: PasswordField }, { full_name: FullNameField, role: Role });
const LoginBody = strictObject('Login', { password: PasswordField }, { email: EmailField, username: UsernameField });
/** What Swagger UI's OAuth2 password flow posts; client credentials and scopes are accepted and ignored. */
const TokenForm = t.intersection([
  t.type({ username: boundedString(1, 254, 'UsernameOrEmail'), password: PasswordField }),
  t.partial({ grant_type: t.literal('password'), scope: t.string, client_id: t.string, client_secret: t.string }),
]);
const RefreshBody = strictObject('Refresh', { refresh_token: boundedString(1, 512, 'RefreshToken') }, {});
const LogoutBody = strictObject('Logout', {}, { refresh_token: boundedString(1, 512, 'RefreshToken') });
const ProfileBody = strictObject('UpdateProfile', {}, { full_name: FullNameField, username: UsernameField, email: EmailField, current_password: PasswordField });
const ChangePasswordBody = strictObject('ChangePassword', { current_password: PasswordField, new_password: PasswordField }, {});
const SessionsQuery = t.partial({ page: PageNumber, size: Size });
const SessionParams = t.type({ id: t.string });

const client = (r: RequestInfo): ClientInfo => ({ ip: r.ip, userAgent: r.userAgent });

const loginCommand = (body: t.TypeOf<typeof LoginBody>, r: RequestInfo): E.Either<DomainError, LogInCommand> => {
  if ((body.email === undefined) === (body.username === undefined)) {
    return E.left(invalidField('email', 'send exactly one of email or username'));
  }
  const identifier = body.email !== undefined ? { kind: 'email' as const, value: body.email } : { kind: 'username' as const, value: body.username! };
  return E.right({ identifier, password: body.password, client: client(r) });
};

const TOKENS_RESPONSES = {
  200: { description: 'A new token pair', data: TokensView },
  401: { description: 'Invalid credentials (the same answer for an unknown account and a wrong password)' },
  429: { description: 'Too many failed logins for this account from this address; Retry-After says when to retry' },
};

export const authRoutes = (uc: AuthUseCases): AnyRoute[] => [
  route({
    method: 'post',
    path: '/auth/register',
    summary: 'Create an account',
    description: 'Passwords: 8 to 128 characters, not a commonly used password, not the username or email. No composition rules.',
    tags: ['auth'],
    auth: 'none',
    body: RegisterBody,
    responses: { 201: { description: 'The new user', data: UserView }, 409: { description: 'Email or username already taken' } },
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
      const cmd = loginCommand(body, request);
      if (E.isLeft(cmd)) return cmd;
      return E.map((p: TokenPair) => ok(tokensView(p), NO_STORE))(await uc.logIn.execute(cmd.right));
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
  route({
    method: 'get',
    path: '/auth/me',
    summary: 'The caller\'s profile',
    tags: ['auth'],
    auth: 'bearer',
    responses: { 200: { description: 'The caller', data: UserView } },
    handler: async ({ actor }) => E.map((u: User) => ok(userView(u)))(await uc.getUser.execute(actor, actor.userId)),
  }),
  ...(['patch', 'put'] as const).map((method) =>
    route({
      method,
      path: '/auth/me',
      summary: method === 'patch' ? 'Change the caller\'s profile' : 'Change the caller\'s profile (same partial semantics as PATCH)',
      description: 'Absent fields keep their value. Changing `email` needs `current_password`. Role and admin flags are not profile fields.',
      tags: ['auth'],
      auth: 'bearer',
      body: ProfileBody,
      responses: { 200: { description: 'The updated profile', data: UserView }, 409: { description: 'Email or username already taken' } },
      handler: async ({ actor, body }) => {
        const patch = { fullName: body.full_name, username: body.username, email: body.email, currentPassword: body.current_password };
        return E.map((u: User) => ok(userView(u)))(await uc.updateUser.execute(actor, actor.userId, patch));
      },
    }),
  ),
  route({
    method: 'post',
    path: '/auth/change-password',
    summary: 'Change the caller\'s password; every other session ends',
    tags: ['auth'],
    auth: 'bearer',
    body: ChangePasswordBody,
    responses: { 204: { description: 'Changed' } },
    handler: async ({ actor, body }) => {
      const result = await uc.changePassword.execute(actor, { currentPassword: body.current_password, newPassword: body.new_password });
      return E.map(() => noContent())(result);
    },
  }),
  route({
    method: 'get',
    path: '/auth/sessions',
    summary: 'The caller\'s active sessions, newest first',
    tags: ['auth'],
    auth: 'bearer',
    query: SessionsQuery,
    responses: { 200: { description: 'A page of sessions', data: t.type({ items: t.array(SessionItem), meta: PageMetaView }) } },
    handler: async ({ actor, query }) => {
      const result = await uc.listSessions.execute(actor);
      if (E.isLeft(result)) return result;
      // A user has a handful of sessions: page them here rather than in every TokenStore.
      const [page, size, all] = [query.page ?? 1, query.size ?? 20, result.right];
      const pages = Math.max(1, Math.ceil(all.length / size));
      const items = all.slice((page - 1) * size, page * size).map(sessionItem);
      return E.right(ok({ items, meta: { total: all.length, page, size, pages, has_next: page < pages, has_prev: page > 1 } }));
    },
  }),
  route({
    method: 'delete',
    path: '/auth/sessions/:id',
    summary: 'End one of the caller\'s sessions',
    tags: ['auth'],
    auth: 'bearer',
    params: SessionParams,
    responses: { 204: { description: 'Ended' }, 404: { description: 'No such active session of the caller' } },
    handler: async ({ actor, params }) => {
      if (!isUuid(params.id)) return E.left(notFound('Session not found'));
      return E.map(() => noContent())(await uc.revokeSession.execute(actor, params.id));
    },
  }),
];
