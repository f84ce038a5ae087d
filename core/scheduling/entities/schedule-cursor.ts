import type { KeysetKeys } from '../../shared/entities/pagination.js';
import type { Schedule } from './schedule.js';

export type ScheduleSortField = 'starts_at';
export const SCHEDULE_SORT_FIELDS: readonly ScheduleSortField[] = ['starts_at'];

export const SCHEDULE_KEYSET: KeysetKeys<Schedule, ScheduleSortField> = {
  starts_at: { kind: 'time', valueOf: (s) => s.startsAt.toISOString() },
};
