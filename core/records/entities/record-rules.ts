import type { FieldIssue } from '../../shared/entities/errors.js';
import type { CronValidator } from '../ports/cron-validator.js';
import { isRecordStatus, RECORD_STATUSES, type JsonObject } from './record.js';

export const NAME_MAX = 255;
export const DESCRIPTION_MAX = 10_000;
/** Measured as UTF-8 bytes of the compact JSON serialisation. */
export const CONFIG_MAX_BYTES = 64 * 1024;

/** The writable fields of a record, as the HTTP edge decoded them (types checked, rules not). */
export interface RecordFields {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly config?: unknown;
  readonly status?: string | undefined;
}

const isPlainObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const configIssues = (config: unknown, cron: CronValidator): FieldIssue[] => {
  if (!isPlainObject(config)) return [{ field: 'config', message: 'must be a JSON object' }];
  const bytes = new TextEncoder().encode(JSON.stringify(config)).length;
  if (bytes > CONFIG_MAX_BYTES) {
    return [{ field: 'config', message: `must be at most ${CONFIG_MAX_BYTES} bytes as JSON (got ${bytes})` }];
  }
  if (!('schedule' in config)) return [];
  const schedule = config['schedule'];
  if (typeof schedule !== 'string') return [{ field: 'config.schedule', message: 'must be a cron expression string' }];
  const problem = cron.problem(schedule);
  return problem === null ? [] : [{ field: 'config.schedule', message: `is not a valid cron expression: ${problem}` }];
};

/** Names are compared and stored trimmed: the spaces around one do not count. */
export const nameIssues = (name: string): FieldIssue[] => {
  const trimmed = name.trim();
  return trimmed.length < 1 || trimmed.length > NAME_MAX
    ? [{ field: 'name', message: `must be 1 to ${NAME_MAX} characters (leading and trailing spaces do not count)` }]
    : [];
};

export const descriptionIssues = (description: string): FieldIssue[] =>
  description.length > DESCRIPTION_MAX ? [{ field: 'description', message: `must be at most ${DESCRIPTION_MAX} characters` }] : [];

/**
 * Checks the fields present in `fields`, returning every issue at once so a form can show them
 * together. Names are compared and stored trimmed.
 */
export const recordFieldIssues = (fields: RecordFields, cron: CronValidator): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  if (fields.name !== undefined) issues.push(...nameIssues(fields.name));
  if (typeof fields.description === 'string') issues.push(...descriptionIssues(fields.description));
  if (fields.config !== undefined) issues.push(...configIssues(fields.config, cron));
  if (fields.status !== undefined && !isRecordStatus(fields.status)) {
    issues.push({ field: 'status', message: `must be one of ${RECORD_STATUSES.join(', ')}` });
  }
  return issues;
};
