import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Page } from '../../../core/shared/entities/pagination.js';
import { CHANGER_ROLES, SCHEDULE_STATUSES, type Schedule } from '../../../core/scheduling/entities/schedule.js';
import { SCHEDULE_SORT_FIELDS } from '../../../core/scheduling/entities/schedule-cursor.js';
import type { AcceptSchedule } from '../../../core/scheduling/use-cases/accept-schedule.js';
import type { BookSchedule } from '../../../core/scheduling/use-cases/book-schedule.js';
import type { CancelSchedule } from '../../../core/scheduling/use-cases/cancel-schedule.js';
import type { CreateSchedules } from '../../../core/scheduling/use-cases/create-schedules.js';
import type { DeleteSchedule } from '../../../core/scheduling/use-cases/delete-schedule.js';
import type { ExportCalendar } from '../../../core/scheduling/use-cases/export-calendar.js';
import type { GetSchedule } from '../../../core/scheduling/use-cases/get-schedule.js';
import type { ListSchedules } from '../../../core/scheduling/use-cases/list-schedules.js';
import type { MoveSchedule } from '../../../core/scheduling/use-cases/move-schedule.js';
import type { RejectSchedule } from '../../../core/scheduling/use-cases/reject-schedule.js';
import { BATCH_MAX, MAX_DURATION_MS, NOTE_MAX, noteIssues } from '../../../core/scheduling/entities/schedule-rules.js';
import { cursorQueryProps, DateTime, nullable, oneOf, ruledString, sortParam, strictObject, Timestamp, Uuid } from '../codecs.js';
import { IDEMPOTENCY_KEY, idempotent, type Idempotency } from '../idempotency.js';
import { cursorPageMeta, CursorPageMetaView, pageQueryOf } from '../page-view.js';
import { ETAG, IDEMPOTENT_REPLAYED } from '../response-headers.js';
import { created, HANDLED, noContent, ok, route, type AnyRoute, type HeaderDoc } from '../route.js';
import { documented, withExample } from '../schema-registry.js';
import { acceptedVersionsOf } from './records.js';

export interface ScheduleUseCases {
  readonly create: CreateSchedules;
  readonly list: ListSchedules;
  readonly get: GetSchedule;
  readonly book: BookSchedule;
  readonly accept: AcceptSchedule;
  readonly reject: RejectSchedule;
  readonly cancel: CancelSchedule;
  readonly move: MoveSchedule;
  readonly remove: DeleteSchedule;
  readonly calendar: ExportCalendar;
}

const Status = oneOf(SCHEDULE_STATUSES, 'ScheduleStatus');
const ChangerRole = oneOf(CHANGER_ROLES, 'ChangerRole');

/**
 * DateTime for a query string, where an unencoded `+` of an offset arrives as a space
 * (`from=2026-03-29T09:00:00+02:00`): the space before the offset is read back as `+`.
 */
const QueryDateTime = documented(
  new t.Type<Date, string, unknown>(
    'QueryDateTime',
    DateTime.is,
    (u, c) => DateTime.validate(typeof u === 'string' ? u.replace(/ (\d{2}:\d{2})$/, '+$1') : u, c),
    (d) => d.toISOString(),
  ),
  { schema: { type: 'string', format: 'date-time' }, message: 'must be an RFC 3339 date-time with a time zone' },
);

// Time rules (ends after starts, at most 7 days, not in the past) live in the core and are stated in the descriptions.
const Note = nullable(ruledString('Note', (s) => noteIssues(s), { maxLength: NOTE_MAX, examples: ['First consultation; bring the signed form'] }, `must be at most ${NOTE_MAX} characters`));
// Rules between fields, which no schema states: in the descriptions, from the core's constants.
const StartsAt = documented(withExample(DateTime, '2030-03-04T09:00:00+01:00'), { extra: { description: 'not in the past' } });
const EndsAt = documented(withExample(DateTime, '2030-03-04T10:00:00+01:00'), {
  extra: { description: `after starts_at, at most ${MAX_DURATION_MS / 86_400_000} days later` },
});
const NewScheduleBody = strictObject('NewSchedule', { giver_id: Uuid, starts_at: StartsAt, ends_at: EndsAt }, { note: Note });
const CreateBody = strictObject('CreateSchedules', { schedules: documented(t.array(NewScheduleBody), { extra: { minItems: 1, maxItems: BATCH_MAX } }) }, {});
const MoveBody = strictObject('MoveSchedule', {}, { starts_at: StartsAt, ends_at: EndsAt, note: Note });

const ListQuery = t.partial({
  ...cursorQueryProps,
  sort: sortParam(SCHEDULE_SORT_FIELDS),
  giver_id: Uuid,
  taker_id: Uuid,
  status: Status,
  from: QueryDateTime,
  to: QueryDateTime,
});
// Any string: an id that is not a UUID names no schedule, so it is a 404 like any other unknown id.
const IdParams = t.type({ id: t.string });

const ScheduleView = t.type({
  id: Uuid,
  giver_id: Uuid,
  taker_id: nullable(Uuid),
  starts_at: withExample(Timestamp, '2030-03-04T08:00:00.000Z'),
  ends_at: withExample(Timestamp, '2030-03-04T09:00:00.000Z'),
  status: Status,
  note: Note,
  version: withExample(t.number, 2),
  created_at: Timestamp,
  created_by: nullable(Uuid),
  created_by_role: ChangerRole,
  updated_at: Timestamp,
  updated_by: nullable(Uuid),
  updated_by_role: ChangerRole,
});

const view = (s: Schedule): t.TypeOf<typeof ScheduleView> => ({
  id: s.id,
  giver_id: s.giverId,
  taker_id: s.takerId,
  starts_at: s.startsAt.toISOString(),
  ends_at: s.endsAt.toISOString(),
  status: s.status,
  note: s.note,
  version: s.version,
  created_at: s.createdAt.toISOString(),
  created_by: s.createdBy,
  created_by_role: s.createdByRole,
  updated_at: s.updatedAt.toISOString(),
  updated_by: s.updatedBy,
  updated_by_role: s.updatedByRole,
});

const withEtag = (s: Schedule) => ({ ETag: `"${s.version}"` });

const IF_MATCH: HeaderDoc = {
  name: 'If-Match',
  description: 'The ETag from GET /schedules/{id}; the change is refused with 412 when the schedule has changed since.',
};

const NOT_FOUND = { description: 'No such schedule, or one the caller may not see' };

const transitionRoute = (action: 'book' | 'accept' | 'reject' | 'cancel', summary: string, run: (uc: ScheduleUseCases) => Pick<BookSchedule, 'execute'>) => (uc: ScheduleUseCases) =>
  route({
    method: 'post',
    path: `/schedules/:id/${action}`,
    summary,
    tags: ['schedules'],
    auth: 'bearer',
    params: IdParams,
    headers: [IF_MATCH],
    responses: {
      200: { description: 'The schedule in its new state; the ETag header carries its new version', data: ScheduleView, headers: { ETag: ETAG } },
      403: { description: 'Not the caller\'s transition to make' },
      404: NOT_FOUND,
      409: { description: 'The schedule\'s status does not allow it (e.g. someone else booked it first), or the times now overlap' },
      412: { description: 'If-Match names a version that is no longer current' },
    },
    handler: async ({ actor, params, req }) =>
      E.map((s: Schedule) => ok(view(s), withEtag(s)))(await run(uc).execute(actor, params.id, acceptedVersionsOf(req.get('if-match')))),
  });

const TRANSITIONS = [
  transitionRoute('book', 'Book an available slot (takers): it becomes booked with the caller as taker', (uc) => uc.book),
  transitionRoute('accept', 'Accept a pending request (its giver): it becomes booked', (uc) => uc.accept),
  transitionRoute('reject', 'Reject a pending request (its giver)', (uc) => uc.reject),
  transitionRoute('cancel', 'Cancel an available slot, a pending request or a booking (a participant or an admin)', (uc) => uc.cancel),
];

/** Without `idempotency`, Idempotency-Key is ignored (every POST creates). */
export const scheduleRoutes = (uc: ScheduleUseCases, idempotency?: Idempotency): AnyRoute[] => [
  route({
    method: 'post',
    path: '/schedules',
    summary: 'Create schedules, all or nothing',
    description:
      'A giver offers own `available` slots (`giver_id` must be the caller); a taker asks a giver for `pending` times (`taker_id` becomes the caller). ' +
      '1 to 100 items; times are RFC 3339 with any offset, stored and returned in UTC. An overlap with each other or with stored schedules is a 409 and creates nothing.',
    tags: ['schedules'],
    auth: 'bearer',
    body: CreateBody,
    headers: [IDEMPOTENCY_KEY],
    responses: {
      201: { description: 'The new schedules, in the order sent', data: t.type({ schedules: t.array(ScheduleView) }), headers: { 'Idempotent-Replayed': IDEMPOTENT_REPLAYED } },
      403: { description: 'A giver naming another giver' },
      409: { description: 'An item overlaps another (the message names it), or a request with this Idempotency-Key is still being processed' },
    },
    handler: async ({ actor, body, req }) =>
      idempotent(idempotency, { actor, req, body }, 'POST /schedules', async () => {
        const items = body.schedules.map((s) => ({ giverId: s.giver_id, startsAt: s.starts_at, endsAt: s.ends_at, note: s.note }));
        const result = await uc.create.execute(actor, items);
        return E.map((saved: readonly Schedule[]) => created({ schedules: saved.map(view) }))(result);
      }),
  }),
  route({
    method: 'get',
    path: '/schedules',
    summary: 'List schedules the caller may see',
    description:
      'Everyone sees `available` slots; other schedules only their giver, their taker and admins. Filters `giver_id`, `taker_id`, `status`, ' +
      '`from` (still running at or after: `ends_at > from`) and `to` (`starts_at < to`). Sort `starts_at` (default) or `-starts_at`. ' +
      'Page with `page`/`size`, or pass `meta.next_cursor` back as `cursor`.',
    tags: ['schedules'],
    auth: 'bearer',
    query: ListQuery,
    responses: { 200: { description: 'A page of schedules', data: t.type({ items: t.array(ScheduleView), meta: CursorPageMetaView }) } },
    handler: async ({ actor, query }) => {
      const result = await uc.list.execute(actor, {
        giverId: query.giver_id,
        takerId: query.taker_id,
        status: query.status,
        from: query.from,
        to: query.to,
        sort: query.sort ?? { field: 'starts_at', direction: 'asc' },
        page: pageQueryOf(query),
      });
      return E.map((p: Page<Schedule>) => ok({ items: p.items.map(view), meta: cursorPageMeta(p, query.cursor !== undefined) }))(result);
    },
  }),
  // Before `/schedules/:id`, which would otherwise take `calendar` for an id.
  route({
    method: 'get',
    path: '/schedules/calendar',
    summary: 'The caller\'s booked and pending schedules as an iCalendar feed',
    description: 'RFC 5545 (`text/calendar`): booked schedules are CONFIRMED events, pending ones TENTATIVE; from 90 days back, at most 1,000 events.',
    tags: ['schedules'],
    auth: 'bearer',
    responses: {
      200: {
        description: 'An iCalendar document',
        contentType: 'text/calendar',
        headers: {
          'Content-Disposition': { description: '`inline; filename="portside-schedules.ics"`', required: true },
          'Cache-Control': { description: '`private, no-store`', required: true },
        },
      },
    },
    handler: async ({ actor, res }) => {
      const feed = await uc.calendar.execute(actor);
      if (E.isLeft(feed)) return feed;
      res.status(200);
      res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
      res.setHeader('Content-Disposition', 'inline; filename="portside-schedules.ics"');
      res.setHeader('Cache-Control', 'private, no-store');
      res.send(feed.right);
      return E.right(HANDLED);
    },
  }),
  route({
    method: 'get',
    path: '/schedules/:id',
    summary: 'Get one schedule',
    tags: ['schedules'],
    auth: 'bearer',
    params: IdParams,
    responses: { 200: { description: 'The schedule; the ETag header carries its version', data: ScheduleView, headers: { ETag: ETAG } }, 404: NOT_FOUND },
    handler: async ({ actor, params }) => E.map((s: Schedule) => ok(view(s), withEtag(s)))(await uc.get.execute(actor, params.id)),
  }),
  ...TRANSITIONS.map((make) => make(uc)),
  route({
    method: 'patch',
    path: '/schedules/:id',
    summary: 'Move a schedule or change its note (its creator, while available or pending)',
    description: 'Absent fields keep their value; `note: null` clears it. The new times are checked for overlap like new ones. Send `If-Match` to refuse lost updates.',
    tags: ['schedules'],
    auth: 'bearer',
    params: IdParams,
    body: MoveBody,
    headers: [IF_MATCH],
    responses: {
      200: { description: 'The schedule; the ETag header carries its new version', data: ScheduleView, headers: { ETag: ETAG } },
      403: { description: 'Not the schedule\'s creator' },
      404: NOT_FOUND,
      409: { description: 'Booked, rejected or cancelled schedules do not move; or the new times overlap' },
      412: { description: 'If-Match names a version that is no longer current' },
    },
    handler: async ({ actor, params, body, req }) => {
      const changes = { startsAt: body.starts_at, endsAt: body.ends_at, note: body.note };
      const result = await uc.move.execute(actor, params.id, changes, acceptedVersionsOf(req.get('if-match')));
      return E.map((s: Schedule) => ok(view(s), withEtag(s)))(result);
    },
  }),
  route({
    method: 'delete',
    path: '/schedules/:id',
    summary: 'Delete a schedule that is not booked (its creator or an admin)',
    tags: ['schedules'],
    auth: 'bearer',
    params: IdParams,
    headers: [IF_MATCH],
    responses: {
      204: { description: 'Deleted' },
      403: { description: 'Neither its creator nor an admin' },
      404: NOT_FOUND,
      409: { description: 'Booked: cancel it instead' },
      412: { description: 'If-Match names a version that is no longer current' },
    },
    handler: async ({ actor, params, req }) =>
      E.map(() => noContent())(await uc.remove.execute(actor, params.id, acceptedVersionsOf(req.get('if-match')))),
  }),
];
