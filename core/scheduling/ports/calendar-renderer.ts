import type { Schedule } from '../entities/schedule.js';

/** Writes schedules as an iCalendar (RFC 5545) document; the generator lives in an adapter. */
export interface CalendarRenderer {
  render(schedules: readonly Schedule[], options: { readonly name: string; readonly viewerId: string }): string;
}
