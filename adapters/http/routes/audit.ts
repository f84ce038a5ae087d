import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { AuditEvent } from '../../../core/audit/entities/audit-event.js';
import type { ListAuditEvents } from '../../../core/audit/use-cases/list-audit-events.js';
import type { Page } from '../../../core/shared/entities/pagination.js';
import { boundedString, cursorQueryProps, DateTime, nullable, Timestamp, Uuid } from '../codecs.js';
import { cursorPageMeta, CursorPageMetaView, pageQueryOf } from '../page-view.js';
import { withExample } from '../schema-registry.js';
import { ok, route, type AnyRoute } from '../route.js';

const AuditEventView = t.type({
  id: Uuid,
  type: withExample(t.string, 'user.registered'),
  actor_id: nullable(Uuid),
  subject_id: nullable(Uuid),
  request_id: withExample(nullable(t.string), '5f2b8c1e-3d4a-4b6c-9e8f-7a6b5c4d3e2f'),
  occurred_at: Timestamp,
  data: withExample(t.UnknownRecord, { role: 'taker' }),
});

const view = (e: AuditEvent): t.TypeOf<typeof AuditEventView> => ({
  id: e.id,
  type: e.type,
  actor_id: e.actorId,
  subject_id: e.subjectId,
  request_id: e.requestId,
  occurred_at: e.occurredAt.toISOString(),
  data: e.data,
});

const ListQuery = t.partial({
  ...cursorQueryProps,
  type: withExample(boundedString(1, 100, 'EventType'), 'user.registered'),
  actor_id: Uuid,
  from: DateTime,
  to: DateTime,
});

export const auditRoutes = (list: ListAuditEvents): AnyRoute[] => [
  route({
    method: 'get',
    path: '/audit-events',
    summary: 'The audit trail: every domain event as recorded (admin)',
    description:
      'Newest first. Filters: `type` (exact), `actor_id`, `from` (inclusive) and `to` (exclusive), RFC 3339 times. ' +
      'Page with `page`/`size`, or pass `meta.next_cursor` back as `cursor`.',
    tags: ['audit'],
    auth: 'admin',
    query: ListQuery,
    responses: { 200: { description: 'A page of audit events', data: t.type({ items: t.array(AuditEventView), meta: CursorPageMetaView }) } },
    handler: async ({ actor, query }) => {
      const result = await list.execute(actor, {
        type: query.type,
        actorId: query.actor_id,
        from: query.from,
        to: query.to,
        page: pageQueryOf(query),
      });
      return E.map((p: Page<AuditEvent>) => ok({ items: p.items.map(view), meta: cursorPageMeta(p, query.cursor !== undefined) }))(result);
    },
  }),
];
