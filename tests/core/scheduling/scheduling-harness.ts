import { v7 as uuidv7 } from 'uuid';
import { MemoryEventOutbox } from '../../../adapters/memory/memory-event-outbox.js';
import { MemoryFileRepository } from '../../../adapters/memory/memory-file-repository.js';
import { MemoryRecordRepository } from '../../../adapters/memory/memory-record-repository.js';
import { MemoryIdempotencyStore } from '../../../adapters/memory/memory-idempotency-store.js';
import { MemoryScheduleRepository } from '../../../adapters/memory/memory-schedule-repository.js';
import { MemoryUnitOfWork } from '../../../adapters/memory/memory-unit-of-work.js';
import { MemoryUserRepository } from '../../../adapters/memory/memory-user-repository.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import type { Schedule } from '../../../core/scheduling/entities/schedule.js';
import { AcceptSchedule } from '../../../core/scheduling/use-cases/accept-schedule.js';
import { BookSchedule } from '../../../core/scheduling/use-cases/book-schedule.js';
import { CancelSchedule } from '../../../core/scheduling/use-cases/cancel-schedule.js';
import { CreateSchedules, type NewSchedule } from '../../../core/scheduling/use-cases/create-schedules.js';
import { DeleteSchedule } from '../../../core/scheduling/use-cases/delete-schedule.js';
import { ExpireStaleSchedules } from '../../../core/scheduling/use-cases/expire-stale-schedules.js';
import { GetSchedule } from '../../../core/scheduling/use-cases/get-schedule.js';
import { ListSchedules } from '../../../core/scheduling/use-cases/list-schedules.js';
import { MoveSchedule } from '../../../core/scheduling/use-cases/move-schedule.js';
import { RejectSchedule } from '../../../core/scheduling/use-cases/reject-schedule.js';
import { aUser } from '../../contracts/user-repository.contract.js';
import { anActor, left, right } from '../../support/builders.js';
import { ManualClock } from '../../support/manual-clock.js';

export { anActor, left, right };

/** Every scheduling use case on memory adapters and a manual clock (2031-01-15T09:00Z). */
export const schedulingHarness = () => {
  const clock = new ManualClock();
  const ids = { next: () => uuidv7() };
  const schedules = new MemoryScheduleRepository();
  const users = new MemoryUserRepository();
  const events = new MemoryEventOutbox();
  const uow = new MemoryUnitOfWork({ schedules, users, events, records: new MemoryRecordRepository(), files: new MemoryFileRepository(), idempotency: new MemoryIdempotencyStore().transactional });
  const hour = (h: number) => new Date(clock.now().getTime() + h * 3_600_000);
  const h = {
    clock,
    schedules,
    users,
    events,
    hour,
    create: new CreateSchedules(uow, ids, clock),
    get: new GetSchedule(schedules),
    list: new ListSchedules(schedules),
    book: new BookSchedule(uow, ids, clock),
    accept: new AcceptSchedule(uow, ids, clock),
    reject: new RejectSchedule(uow, ids, clock),
    cancel: new CancelSchedule(uow, ids, clock),
    move: new MoveSchedule(uow, ids, clock),
    remove: new DeleteSchedule(uow, ids, clock),
    expire: new ExpireStaleSchedules(schedules, uow, ids, clock),
    /** A giver with an account (takers' requests must name one). */
    async aGiver(overrides: Partial<Actor> = {}): Promise<Actor> {
      const actor = anActor({ role: 'giver', ...overrides });
      right(await users.insert(aUser({ id: actor.userId, role: 'giver' })));
      return actor;
    },
    aTaker: (overrides: Partial<Actor> = {}): Actor => anActor({ role: 'taker', ...overrides }),
    /** An available slot of `giver`, from hour `from` to hour `to` after the clock's now. */
    async aSlot(giver: Actor, from = 24, to = 25, extra: Partial<NewSchedule> = {}): Promise<Schedule> {
      const [s] = right(await h.create.execute(giver, [{ giverId: giver.userId, startsAt: hour(from), endsAt: hour(to), ...extra }]));
      return s!;
    },
    /** A taker's pending request to `giver`. */
    async aRequest(taker: Actor, giver: Actor, from = 24, to = 25): Promise<Schedule> {
      const [s] = right(await h.create.execute(taker, [{ giverId: giver.userId, startsAt: hour(from), endsAt: hour(to) }]));
      return s!;
    },
    eventTypes: () => events.all().map((e) => e.type),
  };
  return h;
};
