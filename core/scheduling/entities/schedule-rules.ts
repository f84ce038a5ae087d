import type { FieldIssue } from '../../shared/entities/errors.js';

export const NOTE_MAX = 2_000;
/** A slot is at most a week long; longer "slots" are availability windows, not appointments. */
export const MAX_DURATION_MS = 7 * 24 * 60 * 60 * 1000;
export const BATCH_MAX = 100;

export interface ScheduleTimes {
  readonly startsAt: Date;
  readonly endsAt: Date;
}

/** Issues with a slot's times and note, under `prefix` (e.g. `schedules.2.`). */
export const timeIssues = (times: ScheduleTimes, now: Date, prefix = ''): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  if (times.startsAt.getTime() < now.getTime()) issues.push({ field: `${prefix}starts_at`, message: 'must not be in the past' });
  const length = times.endsAt.getTime() - times.startsAt.getTime();
  if (length <= 0) issues.push({ field: `${prefix}ends_at`, message: 'must be after starts_at' });
  else if (length > MAX_DURATION_MS) issues.push({ field: `${prefix}ends_at`, message: 'must be at most 7 days after starts_at' });
  return issues;
};

// Postgres text cannot hold NUL, and an unpaired surrogate is not text at all: refused up front,
// so every store answers the same 422 rather than one of them failing on write.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const noteIssues = (note: string | null | undefined, prefix = ''): FieldIssue[] => {
  if (typeof note !== 'string') return [];
  if (note.length > NOTE_MAX) return [{ field: `${prefix}note`, message: `must be at most ${NOTE_MAX} characters` }];
  return note.includes('\u0000') || UNPAIRED_SURROGATE.test(note) ? [{ field: `${prefix}note`, message: 'must not contain NUL characters or unpaired surrogates' }] : [];
};
