import type { Clock } from '../../shared/ports/clock.js';
import { newEvent, type DomainEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { Schedule, ScheduleStatus } from './schedule.js';

export const SCHEDULE_EVENT_TYPES = [
  'schedule.created',
  'schedule.requested',
  'schedule.booked',
  'schedule.accepted',
  'schedule.rejected',
  'schedule.cancelled',
  'schedule.moved',
  'schedule.updated',
  'schedule.deleted',
] as const;
export type ScheduleEventType = (typeof SCHEDULE_EVENT_TYPES)[number];

/** One event per change, carrying what a notification or an audit line needs without a lookup. */
export const scheduleEvent = (
  ids: IdGenerator,
  clock: Clock,
  type: ScheduleEventType,
  s: Schedule,
  extra: { readonly previousStatus?: ScheduleStatus; readonly [k: string]: unknown } = {},
): DomainEvent => {
  const { previousStatus, ...rest } = extra;
  return newEvent(ids, clock, {
    type,
    actorId: type === 'schedule.created' || type === 'schedule.requested' ? s.createdBy : s.updatedBy,
    subjectId: s.id,
    data: {
      giver_id: s.giverId,
      taker_id: s.takerId,
      starts_at: s.startsAt.toISOString(),
      ends_at: s.endsAt.toISOString(),
      status: s.status,
      ...(previousStatus !== undefined ? { previous_status: previousStatus } : {}),
      by_role: type === 'schedule.created' || type === 'schedule.requested' ? s.createdByRole : s.updatedByRole,
      ...rest,
    },
  });
};
