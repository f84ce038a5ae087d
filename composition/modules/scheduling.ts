import { IcalGeneratorCalendarRenderer } from '../../adapters/ical-generator/ical-generator-calendar-renderer.js';
import { scheduleRoutes } from '../../adapters/http/routes/schedules.js';
import { MemoryScheduleRepository } from '../../adapters/memory/memory-schedule-repository.js';
import { PostgresScheduleRepository } from '../../adapters/postgres/postgres-schedule-repository.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import type { IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../../adapters/shared/stored-response.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import type { ScheduleRepository } from '../../core/scheduling/ports/schedule-repository.js';
import { ScheduleNotificationRule } from '../../core/scheduling/rules/schedule-notification-rule.js';
import { AcceptSchedule } from '../../core/scheduling/use-cases/accept-schedule.js';
import { BookSchedule } from '../../core/scheduling/use-cases/book-schedule.js';
import { CancelSchedule } from '../../core/scheduling/use-cases/cancel-schedule.js';
import { CreateSchedules } from '../../core/scheduling/use-cases/create-schedules.js';
import { DeleteSchedule } from '../../core/scheduling/use-cases/delete-schedule.js';
import { ExpireStaleSchedules } from '../../core/scheduling/use-cases/expire-stale-schedules.js';
import { ExportCalendar } from '../../core/scheduling/use-cases/export-calendar.js';
import { GetSchedule } from '../../core/scheduling/use-cases/get-schedule.js';
import { ListSchedules } from '../../core/scheduling/use-cases/list-schedules.js';
import { MoveSchedule } from '../../core/scheduling/use-cases/move-schedule.js';
import { RejectSchedule } from '../../core/scheduling/use-cases/reject-schedule.js';
import type { ModuleBinder } from '../module.js';
import { TOKENS, token } from '../tokens.js';

const moduleToken = <T>(name: string) => token<T>(`scheduling.${name}`);

export const SCHEDULING = {
  CreateSchedules: moduleToken<CreateSchedules>('CreateSchedules'),
  BookSchedule: moduleToken<BookSchedule>('BookSchedule'),
  ExpireStaleSchedules: moduleToken<ExpireStaleSchedules>('ExpireStaleSchedules'),
  ListSchedules: moduleToken<ListSchedules>('ListSchedules'),
};

const WRITE_DEPS = [TOKENS.UnitOfWork, TOKENS.IdGenerator, TOKENS.Clock] as const;
type Write<T> = new (uow: UnitOfWork, ids: IdGenerator, clock: Clock) => T;

/** Scheduling: the repository (Postgres when a database is configured, memory otherwise), use cases, routes, notification rule. */
export const bindScheduling: ModuleBinder = ({ container, infra }) => {
  const db = infra.database;
  // Outside a unit of work (reads); the Postgres unit of work builds its own transaction-bound one,
  // the memory unit of work snapshots this very instance.
  container.bind(TOKENS.ScheduleRepository).toConstantValue(db ? new PostgresScheduleRepository(db) : new MemoryScheduleRepository());
  const write = <T>(Ctor: Write<T>) => (uow: UnitOfWork, ids: IdGenerator, clock: Clock) => new Ctor(uow, ids, clock);
  container.bind(SCHEDULING.CreateSchedules).toResolvedValue(write(CreateSchedules), [...WRITE_DEPS]);
  container.bind(SCHEDULING.BookSchedule).toResolvedValue(write(BookSchedule), [...WRITE_DEPS]);
  container.bind(SCHEDULING.ListSchedules).toResolvedValue((s: ScheduleRepository) => new ListSchedules(s), [TOKENS.ScheduleRepository]);
  container
    .bind(SCHEDULING.ExpireStaleSchedules)
    .toResolvedValue(
      (s: ScheduleRepository, uow: UnitOfWork, ids: IdGenerator, clock: Clock) => new ExpireStaleSchedules(s, uow, ids, clock),
      [TOKENS.ScheduleRepository, ...WRITE_DEPS],
    );
  // The system's transitions: slots that started while still open or awaiting an answer.
  infra.maintenance.push({
    name: 'stale schedules (started while available or pending)',
    run: () => container.get(SCHEDULING.ExpireStaleSchedules).execute(),
  });
  // Delivered to the other participant by the notifications module once it resolves every rule.
  container.bind(TOKENS.NotificationRule).toConstantValue(new ScheduleNotificationRule());
  container
    .bind(TOKENS.Routes)
    .toResolvedValue(
      (schedules: ScheduleRepository, uow: UnitOfWork, ids: IdGenerator, clock: Clock, store: IdempotencyStore<StoredResponse>, create: CreateSchedules, book: BookSchedule, list: ListSchedules) =>
        scheduleRoutes(
          {
            create,
            list,
            book,
            get: new GetSchedule(schedules),
            accept: new AcceptSchedule(uow, ids, clock),
            reject: new RejectSchedule(uow, ids, clock),
            cancel: new CancelSchedule(uow, ids, clock),
            move: new MoveSchedule(uow, ids, clock),
            remove: new DeleteSchedule(uow, ids, clock),
            calendar: new ExportCalendar(schedules, new IcalGeneratorCalendarRenderer(), clock),
          },
          { store, clock },
        ),
      [TOKENS.ScheduleRepository, ...WRITE_DEPS, TOKENS.IdempotencyStore, SCHEDULING.CreateSchedules, SCHEDULING.BookSchedule, SCHEDULING.ListSchedules],
    );
};
