/** A time slot a giver offers, or a taker asks a giver for. See docs/scheduling.md. */
export const SCHEDULE_STATUSES = ['available', 'pending', 'booked', 'rejected', 'cancelled'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export const isScheduleStatus = (value: unknown): value is ScheduleStatus =>
  typeof value === 'string' && (SCHEDULE_STATUSES as readonly string[]).includes(value);

/** Who made a change: the account's role, `admin` when an admin acted as one, or `system`. */
export const CHANGER_ROLES = ['giver', 'taker', 'admin', 'system'] as const;
export type ChangerRole = (typeof CHANGER_ROLES)[number];

export const isChangerRole = (value: unknown): value is ChangerRole =>
  typeof value === 'string' && (CHANGER_ROLES as readonly string[]).includes(value);

export interface Schedule {
  readonly id: string;
  readonly giverId: string;
  readonly takerId: string | null;
  readonly startsAt: Date;
  /** Exclusive: a slot ending at 10:00 and one starting at 10:00 do not overlap. */
  readonly endsAt: Date;
  readonly status: ScheduleStatus;
  readonly note: string | null;
  /** Starts at 1 and grows by one on every stored change: the ETag / If-Match value. */
  readonly version: number;
  readonly createdAt: Date;
  /** null only for the system. */
  readonly createdBy: string | null;
  readonly createdByRole: ChangerRole;
  readonly updatedAt: Date;
  readonly updatedBy: string | null;
  readonly updatedByRole: ChangerRole;
}

/** Statuses in which a slot holds its giver's time. */
export const GIVER_HOLDING: readonly ScheduleStatus[] = ['available', 'pending', 'booked'];
/** Statuses in which a slot holds its taker's time. */
export const TAKER_HOLDING: readonly ScheduleStatus[] = ['pending', 'booked'];
