import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { conflict, forbidden, validation, type DomainError, type FieldIssue } from '../../shared/entities/errors.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { TransactionScope, UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { Schedule } from '../entities/schedule.js';
import { scheduleEvent } from '../entities/schedule-events.js';
import { BATCH_MAX, noteIssues, timeIssues } from '../entities/schedule-rules.js';

export interface NewSchedule {
  readonly giverId: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly note?: string | null | undefined;
}

/**
 * Creates a batch, all or nothing. A giver offers their own `available` slots; a taker asks a
 * giver for `pending` ones (taker_id = the taker). Overlaps, within the batch or with what is
 * stored, are a Conflict that leaves nothing written.
 */
export class CreateSchedules {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, items: readonly NewSchedule[]): Promise<E.Either<DomainError, readonly Schedule[]>> {
    const now = this.clock.now();
    const issues: FieldIssue[] = items.length < 1 || items.length > BATCH_MAX ? [{ field: 'schedules', message: `must hold 1 to ${BATCH_MAX} schedules` }] : [];
    items.forEach((item, i) => issues.push(...timeIssues(item, now, `schedules.${i}.`), ...noteIssues(item.note, `schedules.${i}.`)));
    if (issues.length > 0) return E.left(validation(issues));
    if (actor.role === 'giver' && items.some((item) => item.giverId.toLowerCase() !== actor.userId)) {
      return E.left(forbidden('A giver creates slots for themselves only: giver_id must be your own id'));
    }
    return this.uow.run(async (scope) => {
      if (actor.role === 'taker') {
        const wrong = await this.notGivers(scope, actor, items);
        if (wrong.length > 0) return E.left(validation(wrong));
      }
      const saved: Schedule[] = [];
      for (const [i, item] of items.entries()) {
        const stored = await scope.schedules.insert(this.build(actor, item, now));
        if (E.isLeft(stored)) return stored.left._tag === 'Conflict' ? E.left(conflict(`schedules.${i}: ${stored.left.message}`)) : stored;
        const type = stored.right.status === 'available' ? 'schedule.created' : 'schedule.requested';
        await scope.events.record(scheduleEvent(this.ids, this.clock, type, stored.right));
        saved.push(stored.right);
      }
      return E.right(saved);
    });
  }

  private build(actor: Actor, item: NewSchedule, now: Date): Schedule {
    const giver = actor.role === 'giver';
    return {
      id: this.ids.next(),
      giverId: item.giverId.toLowerCase(),
      takerId: giver ? null : actor.userId,
      startsAt: item.startsAt,
      endsAt: item.endsAt,
      status: giver ? 'available' : 'pending',
      note: item.note ?? null,
      version: 1,
      createdAt: now,
      createdBy: actor.userId,
      createdByRole: actor.role,
      updatedAt: now,
      updatedBy: actor.userId,
      updatedByRole: actor.role,
    };
  }

  /** A taker's request must name an active giver other than themselves. */
  private async notGivers(scope: TransactionScope, actor: Actor, items: readonly NewSchedule[]): Promise<FieldIssue[]> {
    const issues: FieldIssue[] = [];
    const checked = new Map<string, boolean>();
    for (const [i, item] of items.entries()) {
      const id = item.giverId.toLowerCase();
      if (!checked.has(id)) {
        const user = id === actor.userId ? null : await scope.users.findById(id);
        checked.set(id, user !== null && user.role === 'giver' && user.isActive && user.deletedAt === null);
      }
      if (checked.get(id) !== true) issues.push({ field: `schedules.${i}.giver_id`, message: 'must be the id of an active giver other than yourself' });
    }
    return issues;
  }
}
