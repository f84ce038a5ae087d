import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { invalidField, type DomainError } from '../../shared/entities/errors.js';
import { pageQueryError, type Page, type PageQuery, type Sort } from '../../shared/entities/pagination.js';
import type { Schedule, ScheduleStatus } from '../entities/schedule.js';
import { SCHEDULE_KEYSET, type ScheduleSortField } from '../entities/schedule-cursor.js';
import type { ScheduleRepository } from '../ports/schedule-repository.js';

export interface ListSchedulesQuery {
  readonly giverId?: string | undefined;
  readonly takerId?: string | undefined;
  readonly status?: ScheduleStatus | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly sort: Sort<ScheduleSortField>;
  readonly page: PageQuery;
}

/** What the caller may see (admins: everything), narrowed by the filters, which combine with AND. */
export class ListSchedules {
  constructor(private readonly schedules: ScheduleRepository) {}

  async execute(actor: Actor, query: ListSchedulesQuery): Promise<E.Either<DomainError, Page<Schedule>>> {
    const invalid = pageQueryError(query.page, query.sort, SCHEDULE_KEYSET);
    if (invalid !== null) return E.left(invalid);
    if (query.from !== undefined && query.to !== undefined && query.to.getTime() <= query.from.getTime()) {
      return E.left(invalidField('to', 'must be after from'));
    }
    return this.schedules.list(
      {
        visibleTo: actor.isAdmin ? undefined : actor.userId,
        giverId: query.giverId?.toLowerCase(),
        takerId: query.takerId?.toLowerCase(),
        statuses: query.status === undefined ? undefined : [query.status],
        from: query.from,
        to: query.to,
      },
      query.sort,
      query.page,
    );
  }
}
