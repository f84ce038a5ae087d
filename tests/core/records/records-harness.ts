import { v7 as uuidv7 } from 'uuid';
import { CronParserValidator } from '../../../adapters/cron-parser/cron-parser-validator.js';
import { MemoryEventOutbox } from '../../../adapters/memory/memory-event-outbox.js';
import { MemoryFileRepository } from '../../../adapters/memory/memory-file-repository.js';
import { MemoryRecordRepository } from '../../../adapters/memory/memory-record-repository.js';
import { MemoryIdempotencyStore } from '../../../adapters/memory/memory-idempotency-store.js';
import { MemoryUnitOfWork } from '../../../adapters/memory/memory-unit-of-work.js';
import { MemoryScheduleRepository } from '../../../adapters/memory/memory-schedule-repository.js';
import { MemoryUserRepository } from '../../../adapters/memory/memory-user-repository.js';
import { CreateRecord, type CreateRecordInput } from '../../../core/records/use-cases/create-record.js';
import { DeleteRecord } from '../../../core/records/use-cases/delete-record.js';
import { GetRecord } from '../../../core/records/use-cases/get-record.js';
import { ListRecords } from '../../../core/records/use-cases/list-records.js';
import type { DataRecord } from '../../../core/records/entities/record.js';
import { UpdateRecord } from '../../../core/records/use-cases/update-record.js';
import type { Actor } from '../../../core/shared/entities/actor.js';
import { anActor, left, right } from '../../support/builders.js';
import { ManualClock } from '../../support/manual-clock.js';

export { anActor, left, right };

/** Every records use case on memory adapters, a manual clock and the real cron parser. */
export const recordsHarness = () => {
  const clock = new ManualClock();
  const ids = { next: () => uuidv7() };
  const cron = new CronParserValidator();
  const records = new MemoryRecordRepository();
  const events = new MemoryEventOutbox();
  const idempotency = new MemoryIdempotencyStore();
  const uow = new MemoryUnitOfWork({ schedules: new MemoryScheduleRepository(), users: new MemoryUserRepository(), records, events, files: new MemoryFileRepository(), idempotency: idempotency.transactional });
  const h = {
    clock,
    /** The key store the harness's unit of work completes responses in. */
    idempotency,
    records,
    events,
    create: new CreateRecord(uow, ids, clock, cron),
    get: new GetRecord(records),
    list: new ListRecords(records),
    update: new UpdateRecord(uow, ids, clock, cron),
    remove: new DeleteRecord(uow, ids, clock),
    async aRecord(actor: Actor, input: Partial<CreateRecordInput> = {}): Promise<DataRecord> {
      return right(await h.create.execute(actor, { name: 'Nightly orders import', config: { schedule: '0 2 * * *' }, ...input }));
    },
  };
  return h;
};
