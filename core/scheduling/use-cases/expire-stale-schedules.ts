import * as E from 'fp-ts/lib/Either.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { ScheduleRepository } from '../ports/schedule-repository.js';
import { SYSTEM } from '../entities/schedule-transitions.js';
import { transitionSchedule } from './transition-schedule.js';

/** At most this many per run; the next run takes the rest. */
export const EXPIRY_BATCH = 200;

/**
 * The system's transitions: once a slot has started, an `available` one can no longer be booked
 * (cancelled) and a `pending` request can no longer be accepted (rejected). Each is its own unit
 * of work, so a giver accepting at the last moment either wins or finds it rejected (409).
 * Returns how many it changed.
 */
export class ExpireStaleSchedules {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<number> {
    const now = this.clock.now();
    const stale = await this.schedules.list(
      { statuses: ['available', 'pending'], to: now },
      { field: 'starts_at', direction: 'asc' },
      { page: 1, size: EXPIRY_BATCH },
    );
    if (E.isLeft(stale)) return 0;
    let changed = 0;
    for (const s of stale.right.items) {
      const change = s.status === 'available' ? ({ action: 'cancel', event: 'schedule.cancelled' } as const) : ({ action: 'reject', event: 'schedule.rejected' } as const);
      const done = await transitionSchedule({ uow: this.uow, ids: this.ids, clock: this.clock }, change, SYSTEM, s.id, [s.version]);
      if (E.isRight(done)) changed += 1;
    }
    return changed;
  }
}
