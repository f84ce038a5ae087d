import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { CreateRecord } from '../../../core/records/use-cases/create-record.js';
import type { DeleteRecord } from '../../../core/records/use-cases/delete-record.js';
import type { GetRecord } from '../../../core/records/use-cases/get-record.js';
import type { ListRecords } from '../../../core/records/use-cases/list-records.js';
import { RECORD_STATUSES, type DataRecord } from '../../../core/records/entities/record.js';
import { RECORD_SORT_FIELDS } from '../../../core/records/ports/record-repository.js';
import type { UpdateRecord } from '../../../core/records/use-cases/update-record.js';
import type { Page } from '../../../core/shared/entities/pagination.js';
import { CONFIG_MAX_BYTES, DESCRIPTION_MAX, descriptionIssues, NAME_MAX, nameIssues } from '../../../core/records/entities/record-rules.js';
import { boundedString, cursorQueryProps, nullable, oneOf, ruledString, sortParam, strictObject, Timestamp, Uuid } from '../codecs.js';
import { cursorPageMeta, CursorPageMetaView, pageQueryOf } from '../page-view.js';
import { IDEMPOTENCY_KEY, idempotent, type Idempotency } from '../idempotency.js';
import { ETAG, IDEMPOTENT_REPLAYED, LOCATION } from '../response-headers.js';
import { created, noContent, ok, route, type AnyRoute, type HeaderDoc } from '../route.js';
import { documented, withExample } from '../schema-registry.js';

export interface RecordUseCases {
  readonly create: CreateRecord;
  readonly list: ListRecords;
  readonly get: GetRecord;
  readonly update: UpdateRecord;
  readonly remove: DeleteRecord;
}

const JsonObject = documented(
  new t.Type<Record<string, unknown>, Record<string, unknown>, unknown>(
    'JsonObject',
    (u): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u),
    (u, c) => (typeof u === 'object' && u !== null && !Array.isArray(u) ? t.success(u as Record<string, unknown>) : t.failure(u, c)),
    t.identity,
  ),
  {
    schema: { type: 'object', examples: [{ schedule: '0 2 * * *', source: 'orders' }], description: `any JSON object, at most ${CONFIG_MAX_BYTES} bytes as compact JSON; \`schedule\`, when present, is a cron expression` },
    message: 'must be a JSON object',
  },
);

const Status = oneOf(RECORD_STATUSES, 'RecordStatus');
// The length rules live in the core so every entry point shares them; these codecs run and state them.
const Name = ruledString(
  'RecordName',
  nameIssues,
  // `\S`: not only spaces, which trimming would leave empty.
  { minLength: 1, maxLength: NAME_MAX, pattern: '\\S', examples: ['Nightly orders import'], description: `1 to ${NAME_MAX} characters once trimmed (leading and trailing spaces do not count)` },
  `must be 1 to ${NAME_MAX} characters`,
);
const Description = ruledString('RecordDescription', descriptionIssues, { maxLength: DESCRIPTION_MAX, examples: ['Loads the previous day\'s orders at 02:00'] }, `must be at most ${DESCRIPTION_MAX} characters`);
const writable = { name: Name, description: nullable(Description), config: JsonObject, status: Status };
const { name, ...rest } = writable;
const CreateBody = strictObject('CreateRecord', { name }, rest);
const UpdateBody = strictObject('UpdateRecord', {}, writable);

const ListQuery = t.partial({
  ...cursorQueryProps,
  sort: sortParam(RECORD_SORT_FIELDS),
  status: Status,
  q: withExample(boundedString(0, 255, 'RecordQuery'), 'orders'),
  owner_id: Uuid,
});
// Any string: an id that is not a UUID names no record, so it is a 404 like any other unknown id.
const IdParams = t.type({ id: t.string });

const RecordView = t.type({
  id: Uuid,
  owner_id: Uuid,
  name: Name,
  description: nullable(Description),
  config: JsonObject,
  status: Status,
  version: withExample(t.number, 3),
  created_at: Timestamp,
  updated_at: Timestamp,
  created_by: Uuid,
  updated_by: Uuid,
});

const view = (r: DataRecord): t.TypeOf<typeof RecordView> => ({
  id: r.id,
  owner_id: r.ownerId,
  name: r.name,
  description: r.description,
  config: r.config,
  status: r.status,
  version: r.version,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
  created_by: r.createdBy,
  updated_by: r.updatedBy,
});

const pageView = (p: Page<DataRecord>, fromCursor: boolean) => ({ items: p.items.map(view), meta: cursorPageMeta(p, fromCursor) });

/** Strong ETag: If-Match compares strongly (RFC 9110), so a weak one could never match. */
export const etagOf = (r: DataRecord): string => `"${r.version}"`;

/**
 * The versions an If-Match header accepts: undefined when absent or `*` (any current record).
 * It matches when any listed strong ETag names the current version; a weak tag (`W/"3"`) or
 * anything this server did not issue never matches (RFC 9110 strong comparison), so an empty
 * list means 412.
 */
export const acceptedVersionsOf = (header: string | undefined): readonly number[] | undefined => {
  if (header === undefined || header.trim() === '*') return undefined;
  return header.split(',').flatMap((tag) => {
    // Strong comparison: "01" is another tag than "1", so it names no version.
    const match = /^\s*"(0|[1-9]\d{0,8})"\s*$/.exec(tag);
    return match ? [Number(match[1])] : [];
  });
};

const IF_MATCH: HeaderDoc = {
  name: 'If-Match',
  description: 'The ETag from GET /records/{id}; the change is refused with 412 when the record has changed since.',
};

const withEtag = (r: DataRecord) => ({ ETag: etagOf(r) });

/** Without `idempotency`, Idempotency-Key is ignored (every POST creates). */
export const recordRoutes = (uc: RecordUseCases, idempotency?: Idempotency): AnyRoute[] => [
  route({
    method: 'post',
    path: '/records',
    summary: 'Create a record owned by the caller',
    tags: ['records'],
    auth: 'bearer',
    body: CreateBody,
    headers: [IDEMPOTENCY_KEY],
    responses: {
      201: { description: 'The new record (ETag header carries its version)', data: RecordView, headers: { ETag: ETAG, Location: LOCATION, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED } },
      409: { description: 'A request with this Idempotency-Key is still being processed' },
    },
    handler: async ({ actor, body, req }) =>
      idempotent(idempotency, { actor, req, body }, 'POST /records', async (remember) => {
        const reply = (r: DataRecord) => created(view(r), { ...withEtag(r), Location: `/api/v1/records/${r.id}` });
        return E.map(reply)(await uc.create.execute(actor, body, remember(reply)));
      }),
  }),
  route({
    method: 'get',
    path: '/records',
    summary: 'List records (own; admins: all or one owner)',
    description:
      'Filters `status`, `q` (name contains, case-insensitive), admin-only `owner_id`. Sort `created_at`, `updated_at`, `name` ' +
      '(prefix `-` for descending; default `-created_at`). Page with `page`/`size`, or pass `meta.next_cursor` back as `cursor` for keyset paging.',
    tags: ['records'],
    auth: 'bearer',
    query: ListQuery,
    responses: { 200: { description: 'A page of records', data: t.type({ items: t.array(RecordView), meta: CursorPageMetaView }) } },
    handler: async ({ actor, query }) => {
      const result = await uc.list.execute(actor, {
        ownerId: query.owner_id,
        status: query.status,
        q: query.q === '' ? undefined : query.q,
        sort: query.sort ?? { field: 'created_at', direction: 'desc' },
        page: pageQueryOf(query),
      });
      return E.map((p: Page<DataRecord>) => ok(pageView(p, query.cursor !== undefined)))(result);
    },
  }),
  route({
    method: 'get',
    path: '/records/:id',
    summary: 'Get one record',
    tags: ['records'],
    auth: 'bearer',
    params: IdParams,
    responses: { 200: { description: 'The record; the ETag header carries its version', data: RecordView, headers: { ETag: ETAG } }, 404: { description: 'No such record, or not the caller\'s' } },
    handler: async ({ actor, params }) => E.map((r: DataRecord) => ok(view(r), withEtag(r)))(await uc.get.execute(actor, params.id)),
  }),
  ...(['patch', 'put'] as const).map((method) =>
    route({
      method,
      path: '/records/:id',
      summary: method === 'patch' ? 'Change some fields of a record' : 'Change some fields of a record (same partial semantics as PATCH)',
      description: 'Absent fields keep their value; `description: null` clears it. Send `If-Match` to refuse lost updates.',
      tags: ['records'],
      auth: 'bearer',
      params: IdParams,
      body: UpdateBody,
      headers: [IF_MATCH],
      responses: {
        200: { description: 'The updated record; the ETag header carries its new version', data: RecordView, headers: { ETag: ETAG } },
        404: { description: 'No such record, or not the caller\'s' },
        412: { description: 'If-Match names a version that is no longer current' },
      },
      handler: async ({ actor, params, body, req }) => {
        const result = await uc.update.execute(actor, params.id, body, acceptedVersionsOf(req.get('if-match')));
        return E.map((r: DataRecord) => ok(view(r), withEtag(r)))(result);
      },
    }),
  ),
  route({
    method: 'delete',
    path: '/records/:id',
    summary: 'Delete a record (soft delete)',
    tags: ['records'],
    auth: 'bearer',
    params: IdParams,
    headers: [IF_MATCH],
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'No such record, or not the caller\'s' },
      412: { description: 'If-Match names a version that is no longer current' },
    },
    handler: async ({ actor, params, req }) =>
      E.map(() => noContent())(await uc.remove.execute(actor, params.id, acceptedVersionsOf(req.get('if-match')))),
  }),
];
