import * as E from 'fp-ts/lib/Either.js';
import type { ChangePassword } from '../../../core/identity/use-cases/change-password.js';
import type { GetUser } from '../../../core/identity/use-cases/get-user.js';
import type { UpdateUser } from '../../../core/identity/use-cases/update-user.js';
import type { User } from '../../../core/identity/entities/user.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import { strictObject } from '../codecs.js';
import { noContent, ok, route, type AnyRoute } from '../route.js';
import { CurrentPasswordField, EmailField, FullNameField, NewPasswordField, PasswordField, UsernameField, UserView, userView } from './user-view.js';

export interface AccountUseCases {
  readonly getUser: GetUser;
  readonly updateUser: UpdateUser;
  readonly changePassword: ChangePassword;
}

const ProfileBody = strictObject('UpdateProfile', {}, { full_name: FullNameField, username: UsernameField, email: EmailField, current_password: CurrentPasswordField });
const ChangePasswordBody = strictObject('ChangePassword', { current_password: PasswordField, new_password: NewPasswordField }, {});

/** The caller's own account: `/auth/me` and `/auth/change-password`. */
/** `userReadFor`: see `authRoutes`. */
export const accountRoutes = (uc: AccountUseCases, userReadFor: (actor: Actor) => User | null = () => null): AnyRoute[] => [
  route({
    method: 'get',
    path: '/auth/me',
    summary: 'The caller\'s profile',
    tags: ['auth'],
    auth: 'bearer',
    responses: { 200: { description: 'The caller', data: UserView } },
    handler: async ({ actor }) => E.map((u: User) => ok(userView(u)))(await uc.getUser.execute(actor, actor.userId, userReadFor(actor))),
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
];
