import { GIVER_HOLDING, TAKER_HOLDING, type Schedule } from './schedule.js';

/** Half-open intervals [start, end): touching end-to-start is not an overlap. */
export const intervalsOverlap = (a: Pick<Schedule, 'startsAt' | 'endsAt'>, b: Pick<Schedule, 'startsAt' | 'endsAt'>): boolean =>
  a.startsAt.getTime() < b.endsAt.getTime() && b.startsAt.getTime() < a.endsAt.getTime();

export type OverlapKind = 'giver' | 'taker';

/**
 * Which rule `a` and `b` break together, or null: the same giver's live slots (available, pending,
 * booked) never overlap, nor do the same taker's pending and booked ones. The database enforces the
 * same two rules with exclusion constraints (migration 0009).
 */
export const overlapBetween = (a: Schedule, b: Schedule): OverlapKind | null => {
  if (a.id === b.id || !intervalsOverlap(a, b)) return null;
  if (a.giverId === b.giverId && GIVER_HOLDING.includes(a.status) && GIVER_HOLDING.includes(b.status)) return 'giver';
  if (a.takerId !== null && a.takerId === b.takerId && TAKER_HOLDING.includes(a.status) && TAKER_HOLDING.includes(b.status)) return 'taker';
  return null;
};

export const overlapMessage = (kind: OverlapKind): string =>
  kind === 'giver' ? "The times overlap another of the giver's slots" : "The times overlap another of the taker's pending or booked schedules";
