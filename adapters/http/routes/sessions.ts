import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { ListSessions, SessionView } from '../../../core/identity/use-cases/list-sessions.js';
import type { RevokeSession } from '../../../core/identity/use-cases/revoke-session.js';
import { intFromString, Size, Timestamp, Uuid } from '../codecs.js';
import { withExample } from '../schema-registry.js';
import { PageMetaView } from '../page-view.js';
import { noContent, ok, route, type AnyRoute } from '../route.js';

export interface SessionUseCases {
  readonly listSessions: ListSessions;
  readonly revokeSession: RevokeSession;
}

const SessionItem = t.type({
  id: Uuid,
  created_at: Timestamp,
  last_used_at: Timestamp,
  user_agent: withExample(t.union([t.string, t.null]), 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0'),
  ip: withExample(t.union([t.string, t.null]), '203.0.113.7'),
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
// A handful of sessions, paged in memory: no depth limit, unlike the lists that page in the database.
const SessionsQuery = t.partial({ page: intFromString(1, 1_000_000, 'Page'), size: Size });
const SessionParams = t.type({ id: t.string });

/** The caller's sessions (one per login on a device): `/auth/sessions`. */
export const sessionRoutes = (uc: SessionUseCases): AnyRoute[] => [
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
    handler: async ({ actor, params }) => E.map(() => noContent())(await uc.revokeSession.execute(actor, params.id)),
  }),
];
