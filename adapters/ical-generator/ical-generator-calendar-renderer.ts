import ical, { ICalEventStatus } from 'ical-generator';
import type { Schedule } from '../../core/scheduling/entities/schedule.js';
import type { CalendarRenderer } from '../../core/scheduling/ports/calendar-renderer.js';

/**
 * RFC 5545 through ical-generator: it folds long lines, escapes text and writes UTC times, the
 * parts of the format that are easy to get subtly wrong by hand. Booked schedules are CONFIRMED,
 * pending ones TENTATIVE; UID is the schedule id and SEQUENCE its version, so a calendar app
 * updates an event in place when it moves.
 */
export class IcalGeneratorCalendarRenderer implements CalendarRenderer {
  constructor(private readonly domain = 'portside') {}

  render(schedules: readonly Schedule[], options: { readonly name: string; readonly viewerId: string }): string {
    const calendar = ical({ name: options.name, prodId: { company: 'Portside', product: 'schedules', language: 'EN' } });
    for (const s of schedules) {
      const asGiver = s.giverId === options.viewerId;
      const what = s.status === 'booked' ? 'Booked' : 'Pending request';
      calendar.createEvent({
        id: `${s.id}@${this.domain}`,
        start: s.startsAt,
        end: s.endsAt,
        stamp: s.updatedAt,
        created: s.createdAt,
        lastModified: s.updatedAt,
        sequence: s.version,
        status: s.status === 'booked' ? ICalEventStatus.CONFIRMED : ICalEventStatus.TENTATIVE,
        summary: `${what} (${asGiver ? 'you give' : 'you take'})`,
        ...(s.note ? { description: s.note } : {}),
      });
    }
    return calendar.toString();
  }
}
