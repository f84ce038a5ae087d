import type { Either } from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../shared/entities/pagination.js';
import type { Schedule, ScheduleStatus } from '../entities/schedule.js';
import type { ScheduleSortField } from '../entities/schedule-cursor.js';

/** Conditions combined with AND; absent ones do not narrow. */
export interface ScheduleFilter {
  /** Only what this user may see: `available` slots, and schedules naming them as giver or taker. */
  readonly visibleTo?: string | undefined;
  /** Only schedules naming this user as giver or taker. */
  readonly participantId?: string | undefined;
  readonly giverId?: string | undefined;
  readonly takerId?: string | undefined;
  readonly statuses?: readonly ScheduleStatus[] | undefined;
  /** Only schedules still running at or after this instant (`ends_at > from`). */
  readonly from?: Date | undefined;
  /** Only schedules starting before this instant (`starts_at < to`). */
  readonly to?: Date | undefined;
}

/**
 * Schedules, with the overlap rules held by the store itself so that no interleaving of writers
 * (threads, processes, replicas) can break them: a write that would make two of a giver's live
 * slots, or two of a taker's pending/booked schedules, overlap is Left(Conflict).
 */
export interface ScheduleRepository {
  insert(schedule: Schedule): Promise<Either<DomainError, Schedule>>;
  /** Inside a unit of work the row stays locked until it ends, so decisions read current state. */
  findById(id: string): Promise<Schedule | null>;
  /**
   * Stores `schedule` with version `expected.version + 1` only if the stored row still has that
   * version and status. Left(NotFound) when it is gone, Left(Conflict) when its status moved on or
   * the new times overlap, Left(PreconditionFailed) when only its version did.
   */
  update(schedule: Schedule, expected: { readonly version: number; readonly status: ScheduleStatus }): Promise<Either<DomainError, Schedule>>;
  /** Deletes it if still at `expectedVersion` and not booked; failures as for `update`. */
  remove(id: string, expectedVersion: number): Promise<Either<DomainError, void>>;
  /** Ordered by `starts_at`, then id; keyset or offset paging as RecordRepository.list. */
  list(filter: ScheduleFilter, sort: Sort<ScheduleSortField>, page: PageQuery): Promise<Either<DomainError, Page<Schedule>>>;
}
