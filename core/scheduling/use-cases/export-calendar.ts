import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { CalendarRenderer } from '../ports/calendar-renderer.js';
import type { ScheduleRepository } from '../ports/schedule-repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back the feed reaches; calendar apps keep what they fetched before. */
export const CALENDAR_PAST_DAYS = 90;
/** The feed's bound: a calendar client polls it, so its cost must not grow without limit. */
export const CALENDAR_MAX_EVENTS = 1_000;

/** The caller's own booked and pending schedules (as giver or taker) as an iCalendar document. */
export class ExportCalendar {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly renderer: CalendarRenderer,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor): Promise<E.Either<DomainError, string>> {
    const from = new Date(this.clock.now().getTime() - CALENDAR_PAST_DAYS * DAY_MS);
    const page = await this.schedules.list(
      { participantId: actor.userId, statuses: ['booked', 'pending'], from },
      { field: 'starts_at', direction: 'asc' },
      { page: 1, size: CALENDAR_MAX_EVENTS },
    );
    return E.map((p: { readonly items: Parameters<CalendarRenderer['render']>[0] }) =>
      this.renderer.render(p.items, { name: 'Portside schedules', viewerId: actor.userId }),
    )(page);
  }
}
