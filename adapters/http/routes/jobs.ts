import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { GetJob } from '../../../core/jobs/use-cases/get-job.js';
import { JOB_STATUSES, type Job } from '../../../core/jobs/entities/job.js';
import { EXPORT_FORMATS } from '../../../core/records/entities/record-export.js';
import type { ExportRecords } from '../../../core/records/use-cases/export-records.js';
import { RECORD_STATUSES } from '../../../core/records/entities/record.js';
import { invalidField } from '../../../core/shared/entities/errors.js';
import { boundedString, EXAMPLE_UUID, nullable, oneOf, strictObject, Timestamp, Uuid } from '../codecs.js';
import { IDEMPOTENCY_KEY, idempotent, type Idempotency } from '../idempotency.js';
import { IDEMPOTENT_REPLAYED, LOCATION } from '../response-headers.js';
import { withExample } from '../schema-registry.js';
import { ok, route, type AnyRoute, type Reply } from '../route.js';

const IdParams = t.type({ id: t.string });
const JsonObject = t.record(t.string, t.unknown);

const JobView = t.type({
  id: Uuid,
  type: withExample(t.string, 'records.export'),
  status: oneOf(JOB_STATUSES, 'JobStatus'),
  progress: withExample(t.number, 100),
  result: withExample(nullable(JsonObject), { file_id: EXAMPLE_UUID }),
  error: withExample(nullable(t.string), null),
  attempts: withExample(t.number, 1),
  created_at: Timestamp,
  updated_at: Timestamp,
  started_at: nullable(Timestamp),
  finished_at: nullable(Timestamp),
});

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const jobView = (j: Job): t.TypeOf<typeof JobView> => ({
  id: j.id,
  type: j.type,
  status: j.status,
  progress: j.progress,
  result: j.result as Record<string, unknown> | null,
  error: j.error,
  attempts: j.attempts,
  created_at: j.createdAt.toISOString(),
  updated_at: j.updatedAt.toISOString(),
  started_at: iso(j.startedAt),
  finished_at: iso(j.finishedAt),
});

export const jobRoutes = (get: GetJob): AnyRoute[] => [
  route({
    method: 'get',
    path: '/jobs/:id',
    summary: 'A background job (owner or admin)',
    description: 'Poll until `status` is `completed` (see `result`, e.g. `{"file_id"}` of an export) or `failed` (see `error`).',
    tags: ['jobs'],
    auth: 'bearer',
    params: IdParams,
    responses: { 200: { description: 'The job', data: JobView }, 404: { description: 'No such job, or not yours' } },
    handler: async ({ actor, params }) => E.map((j: Job) => ok(jobView(j)))(await get.execute(actor, params.id)),
  }),
];

const Format = oneOf(EXPORT_FORMATS, 'ExportFormat');
const Status = oneOf(RECORD_STATUSES, 'RecordStatus');
const exportProps = { format: Format, status: Status, q: boundedString(0, 255, 'RecordQuery'), owner_id: Uuid };
const ExportBody = strictObject('ExportRecords', {}, exportProps);
const ExportQuery = t.partial(exportProps);

const accepted = (job: Job): Reply => ({ status: 202, data: { job_id: job.id }, headers: { Location: `/api/v1/jobs/${job.id}` } });

/** POST /records/export: queues the job; the body's fields win over the query's. */
export const recordExportRoutes = (exportRecords: ExportRecords, idempotency?: Idempotency): AnyRoute[] => [
  route({
    method: 'post',
    path: '/records/export',
    summary: 'Export the caller\'s records (NDJSON or CSV) as a file, in the background',
    description:
      '`format` (`ndjson` or `csv`, required) and the list\'s filters `status`, `q` and admin-only `owner_id`, in the JSON body or the query. ' +
      'Answers 202 with `job_id`; poll GET /jobs/{id} until its `result.file_id` names the file, then download it from GET /files/{id}/content.',
    tags: ['records'],
    auth: 'bearer',
    query: ExportQuery,
    body: ExportBody,
    headers: [IDEMPOTENCY_KEY],
    responses: {
      202: {
        description: 'The export job was queued (Location: the job)',
        data: t.type({ job_id: Uuid }),
        headers: { Location: LOCATION, 'Idempotent-Replayed': IDEMPOTENT_REPLAYED },
      },
      409: { description: 'A request with this Idempotency-Key is still being processed' },
    },
    handler: async ({ actor, query, body, req }) => {
      const merged = { ...query, ...body };
      if (merged.format === undefined) return E.left(invalidField('format', 'is required: ndjson or csv'));
      const format = merged.format;
      return idempotent(idempotency, { actor, req, body: merged }, 'POST /records/export', async () =>
        E.map(accepted)(await exportRecords.execute(actor, { format, status: merged.status, q: merged.q, ownerId: merged.owner_id })),
      );
    },
  }),
];
