import * as E from 'fp-ts/lib/Either.js';
import { conflict, notFound, preconditionFailed, type DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import type { Schedule, ScheduleStatus } from '../../core/scheduling/entities/schedule.js';
import { SCHEDULE_KEYSET, type ScheduleSortField } from '../../core/scheduling/entities/schedule-cursor.js';
import { overlapBetween, overlapMessage } from '../../core/scheduling/entities/schedule-overlap.js';
import type { ScheduleFilter, ScheduleRepository } from '../../core/scheduling/ports/schedule-repository.js';
import { keysetPage } from './keyset-page.js';
import { snapshotMap, type Snapshottable } from './snapshot.js';

/**
 * Schedules in process memory. The overlap rules are checked on every write, as the Postgres
 * exclusion constraints do; writes are synchronous between awaits, so no two can interleave.
 */
export class MemoryScheduleRepository implements ScheduleRepository, Snapshottable {
  private readonly rows = new Map<string, Schedule>();

  async insert(schedule: Schedule): Promise<E.Either<DomainError, Schedule>> {
    return this.store(schedule);
  }

  async findById(id: string): Promise<Schedule | null> {
    return this.rows.get(id) ?? null;
  }

  async update(schedule: Schedule, expected: { readonly version: number; readonly status: ScheduleStatus }): Promise<E.Either<DomainError, Schedule>> {
    const stored = this.rows.get(schedule.id);
    const moved = this.refusal(stored, expected.version, expected.status);
    if (moved !== null) return E.left(moved);
    return this.store({ ...schedule, version: expected.version + 1 });
  }

  async remove(id: string, expectedVersion: number): Promise<E.Either<DomainError, void>> {
    const stored = this.rows.get(id);
    const refused = stored?.status === 'booked' ? conflict('A booked schedule cannot be deleted; cancel it instead') : this.refusal(stored, expectedVersion, stored?.status);
    if (refused !== null) return E.left(refused);
    this.rows.delete(id);
    return E.right(undefined);
  }

  async list(filter: ScheduleFilter, sort: Sort<ScheduleSortField>, page: PageQuery): Promise<E.Either<DomainError, Page<Schedule>>> {
    const matching = [...this.rows.values()].filter(
      (s) =>
        (filter.visibleTo === undefined || s.status === 'available' || s.giverId === filter.visibleTo || s.takerId === filter.visibleTo) &&
        (filter.participantId === undefined || s.giverId === filter.participantId || s.takerId === filter.participantId) &&
        (filter.giverId === undefined || s.giverId === filter.giverId) &&
        (filter.takerId === undefined || s.takerId === filter.takerId) &&
        (filter.statuses === undefined || filter.statuses.includes(s.status)) &&
        (filter.from === undefined || s.endsAt.getTime() > filter.from.getTime()) &&
        (filter.to === undefined || s.startsAt.getTime() < filter.to.getTime()),
    );
    return keysetPage(matching, SCHEDULE_KEYSET, sort, page);
  }

  snapshot(): () => void {
    return snapshotMap(this.rows);
  }

  private refusal(stored: Schedule | undefined, version: number, status: ScheduleStatus | undefined): DomainError | null {
    if (stored === undefined) return notFound('Schedule not found');
    if (stored.status !== status) return conflict(`The schedule is ${stored.status} now`);
    return stored.version === version ? null : preconditionFailed();
  }

  private store(schedule: Schedule): E.Either<DomainError, Schedule> {
    for (const other of this.rows.values()) {
      const kind = overlapBetween(schedule, other);
      if (kind !== null) return E.left(conflict(overlapMessage(kind)));
    }
    this.rows.set(schedule.id, schedule);
    return E.right(schedule);
  }
}
