import { CronParserValidator } from '../../adapters/cron-parser/cron-parser-validator.js';
import { recordRoutes } from '../../adapters/http/routes/records.js';
import type { IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../../adapters/shared/stored-response.js';
import { MemoryRecordRepository } from '../../adapters/memory/memory-record-repository.js';
import { PostgresRecordRepository } from '../../adapters/postgres/postgres-record-repository.js';
import { CreateRecord } from '../../core/records/use-cases/create-record.js';
import type { CronValidator } from '../../core/records/ports/cron-validator.js';
import { DeleteRecord } from '../../core/records/use-cases/delete-record.js';
import { GetRecord } from '../../core/records/use-cases/get-record.js';
import { ListRecords } from '../../core/records/use-cases/list-records.js';
import type { RecordRepository } from '../../core/records/ports/record-repository.js';
import { UpdateRecord } from '../../core/records/use-cases/update-record.js';
import type { Clock } from '../../core/shared/ports/clock.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import type { ModuleBinder } from '../module.js';
import { TOKENS, token } from '../tokens.js';

const moduleToken = <T>(name: string) => token<T>(`records.${name}`);

export const RECORDS = {
  CronValidator: moduleToken<CronValidator>('CronValidator'),
  CreateRecord: moduleToken<CreateRecord>('CreateRecord'),
  ListRecords: moduleToken<ListRecords>('ListRecords'),
  GetRecord: moduleToken<GetRecord>('GetRecord'),
  UpdateRecord: moduleToken<UpdateRecord>('UpdateRecord'),
  DeleteRecord: moduleToken<DeleteRecord>('DeleteRecord'),
};

const WRITE_DEPS = [TOKENS.UnitOfWork, TOKENS.IdGenerator, TOKENS.Clock] as const;

/** Records: the repository (Postgres when a database is configured, memory otherwise), use cases, routes. */
export const bindRecords: ModuleBinder = ({ container, infra }) => {
  const db = infra.database;
  // Outside a unit of work (reads); the Postgres unit of work builds its own transaction-bound one,
  // the memory unit of work snapshots this very instance.
  container.bind(TOKENS.RecordRepository).toConstantValue(db ? new PostgresRecordRepository(db) : new MemoryRecordRepository());
  container.bind(RECORDS.CronValidator).toConstantValue(new CronParserValidator());
  container
    .bind(RECORDS.CreateRecord)
    .toResolvedValue(
      (uow: UnitOfWork, ids: IdGenerator, clock: Clock, cron: CronValidator) => new CreateRecord(uow, ids, clock, cron),
      [...WRITE_DEPS, RECORDS.CronValidator],
    );
  container
    .bind(RECORDS.UpdateRecord)
    .toResolvedValue(
      (uow: UnitOfWork, ids: IdGenerator, clock: Clock, cron: CronValidator) => new UpdateRecord(uow, ids, clock, cron),
      [...WRITE_DEPS, RECORDS.CronValidator],
    );
  container
    .bind(RECORDS.DeleteRecord)
    .toResolvedValue((uow: UnitOfWork, ids: IdGenerator, clock: Clock) => new DeleteRecord(uow, ids, clock), [...WRITE_DEPS]);
  container.bind(RECORDS.ListRecords).toResolvedValue((records: RecordRepository) => new ListRecords(records), [TOKENS.RecordRepository]);
  container.bind(RECORDS.GetRecord).toResolvedValue((records: RecordRepository) => new GetRecord(records), [TOKENS.RecordRepository]);
  container
    .bind(TOKENS.Routes)
    .toResolvedValue(
      (create: CreateRecord, list: ListRecords, get: GetRecord, update: UpdateRecord, remove: DeleteRecord, store: IdempotencyStore<StoredResponse>, clock: Clock) =>
        recordRoutes({ create, list, get, update, remove }, { store, clock }),
      [RECORDS.CreateRecord, RECORDS.ListRecords, RECORDS.GetRecord, RECORDS.UpdateRecord, RECORDS.DeleteRecord, TOKENS.IdempotencyStore, TOKENS.Clock],
    );
};
