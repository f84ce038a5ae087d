import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { CreateUser } from '../../../core/identity/use-cases/create-user.js';
import type { DeleteUser } from '../../../core/identity/use-cases/delete-user.js';
import type { GetUser } from '../../../core/identity/use-cases/get-user.js';
import type { ListUsers } from '../../../core/identity/use-cases/list-users.js';
import type { UpdateUser } from '../../../core/identity/use-cases/update-user.js';
import type { User } from '../../../core/identity/entities/user.js';
import { USER_SORT_FIELDS } from '../../../core/identity/ports/user-repository.js';
import type { Page } from '../../../core/shared/entities/pagination.js';
import { BooleanFromString, boundedString, cursorQueryProps, sortParam, strictObject } from '../codecs.js';
import { cursorPageMeta, CursorPageMetaView, pageQueryOf } from '../page-view.js';
import { LOCATION } from '../response-headers.js';
import { created, noContent, ok, route, type AnyRoute } from '../route.js';
import { CurrentPasswordField, EmailField, FullNameField, NewPasswordField, Role, UsernameField, UserView, userView } from './user-view.js';

export interface UserAdminUseCases {
  readonly list: ListUsers;
  readonly create: CreateUser;
  readonly get: GetUser;
  readonly update: UpdateUser;
  readonly remove: DeleteUser;
}

const ListQuery = t.partial({
  ...cursorQueryProps,
  sort: sortParam(USER_SORT_FIELDS),
  q: boundedString(0, 255, 'UserQuery'),
  role: Role,
  is_active: BooleanFromString,
});
const CreateBody = strictObject(
  'CreateUser',
  { email: EmailField, username: UsernameField, password: NewPasswordField },
  { full_name: FullNameField, role: Role, is_active: t.boolean, is_superuser: t.boolean },
);
const UpdateBody = strictObject(
  'UpdateUser',
  {},
  { full_name: FullNameField, username: UsernameField, email: EmailField, current_password: CurrentPasswordField, role: Role, is_active: t.boolean, is_superuser: t.boolean },
);
// Any string: an id that is not a UUID names no user, so it is a 404 like any other unknown id.
const IdParams = t.type({ id: t.string });
const NOT_VISIBLE = { description: 'No such user, or not the caller (for non-admins)' };

const pageView = (p: Page<User>, fromCursor: boolean) => ({ items: p.items.map(userView), meta: cursorPageMeta(p, fromCursor) });

export const userRoutes = (uc: UserAdminUseCases): AnyRoute[] => [
  route({
    method: 'get',
    path: '/users',
    summary: 'List users (admin)',
    description:
      'Filters `q` (email, username or full name contains, case-insensitive), `role`, `is_active`. Sort `created_at`, `email`, ' +
      '`username` (prefix `-` for descending; default `created_at`). Page with `page`/`size`, or pass `meta.next_cursor` back as ' +
      '`cursor` for keyset paging (then `page` is ignored; a cursor is only valid with the sort it came from).',
    tags: ['users'],
    auth: 'admin',
    query: ListQuery,
    responses: { 200: { description: 'A page of users', data: t.type({ items: t.array(UserView), meta: CursorPageMetaView }) } },
    handler: async ({ actor, query }) => {
      const result = await uc.list.execute(actor, {
        filter: { q: query.q === '' ? undefined : query.q, role: query.role, isActive: query.is_active },
        sort: query.sort ?? { field: 'created_at', direction: 'asc' },
        page: pageQueryOf(query),
      });
      return E.map((p: Page<User>) => ok(pageView(p, query.cursor !== undefined)))(result);
    },
  }),
  route({
    method: 'post',
    path: '/users',
    summary: 'Create a user (admin); may set role, is_active and is_superuser',
    tags: ['users'],
    auth: 'admin',
    body: CreateBody,
    responses: { 201: { description: 'The new user', data: UserView, headers: { Location: LOCATION } }, 409: { description: 'Email or username already taken' } },
    handler: async ({ actor, body }) => {
      const result = await uc.create.execute(actor, {
        email: body.email,
        username: body.username,
        password: body.password,
        fullName: body.full_name,
        role: body.role,
        isActive: body.is_active,
        isSuperuser: body.is_superuser,
      });
      return E.map((u: User) => created(userView(u), { Location: `/api/v1/users/${u.id}` }))(result);
    },
  }),
  route({
    method: 'get',
    path: '/users/:id',
    summary: 'Get a user (self or admin)',
    tags: ['users'],
    auth: 'bearer',
    params: IdParams,
    responses: { 200: { description: 'The user', data: UserView }, 404: NOT_VISIBLE },
    handler: async ({ actor, params }) => E.map((u: User) => ok(userView(u)))(await uc.get.execute(actor, params.id)),
  }),
  route({
    method: 'patch',
    path: '/users/:id',
    summary: 'Change a user (self: profile fields; admin: also role, is_active, is_superuser)',
    description:
      'Absent fields keep their value. A non-admin sending `role`, `is_active` or `is_superuser` gets 403. Users changing their own ' +
      '`email` must send `current_password`. Disabling a user (`is_active: false`) ends all their sessions at once.',
    tags: ['users'],
    auth: 'bearer',
    params: IdParams,
    body: UpdateBody,
    responses: {
      200: { description: 'The updated user', data: UserView },
      403: { description: 'A non-admin tried to change role, is_active or is_superuser' },
      404: NOT_VISIBLE,
      409: { description: 'Email or username already taken, or the change would leave no active administrator (disabling or demoting the last one)' },
    },
    handler: async ({ actor, params, body }) => {
      const result = await uc.update.execute(actor, params.id, {
        fullName: body.full_name,
        username: body.username,
        email: body.email,
        currentPassword: body.current_password,
        role: body.role,
        isActive: body.is_active,
        isSuperuser: body.is_superuser,
      });
      return E.map((u: User) => ok(userView(u)))(result);
    },
  }),
  route({
    method: 'delete',
    path: '/users/:id',
    summary: 'Delete a user (self or admin; soft delete, every session ends)',
    description: 'The email and username can be registered again afterwards.',
    tags: ['users'],
    auth: 'bearer',
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 404: NOT_VISIBLE, 409: { description: 'The last active administrator cannot be deleted' } },
    handler: async ({ actor, params }) => E.map(() => noContent())(await uc.remove.execute(actor, params.id)),
  }),
];
