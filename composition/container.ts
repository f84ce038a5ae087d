import 'reflect-metadata';
import { Container } from 'inversify';
import type { Logger } from '../core/shared/ports/logger.js';
import type { TransactionScope } from '../core/shared/ports/unit-of-work.js';
import { MemoryEventOutbox } from '../adapters/memory/memory-event-outbox.js';
import { MemoryUnitOfWork } from '../adapters/memory/memory-unit-of-work.js';
import type { Snapshottable } from '../adapters/memory/snapshot.js';
import { MemoryIdempotencyStore } from '../adapters/memory/memory-idempotency-store.js';
import { PostgresIdempotencyStore } from '../adapters/postgres/postgres-idempotency-store.js';
import { PostgresUnitOfWork } from '../adapters/postgres/postgres-unit-of-work.js';
import { PostgresOutboxQueue } from '../adapters/postgres/postgres-outbox-queue.js';
import type { OutboxQueue } from '../core/shared/ports/outbox-queue.js';
import { CommitSignal, EVENT_TOKENS } from './events.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { UuidV7IdGenerator } from '../adapters/system/uuid-v7-id-generator.js';
import type { Config } from './config.js';
import type { Infrastructure } from './infrastructure.js';
import { currentRequestId } from './request-context.js';
import type { ModuleBinder, ModuleContext } from './module.js';
import { TOKENS } from './tokens.js';
import { bindRecords } from './modules/records.js';
import { bindIdentity } from './modules/identity.js';
import { bindFiles } from './modules/files.js';
import { bindAudit } from './modules/audit.js';
import { bindNotifications } from './modules/notifications.js';
import { bindScheduling } from './modules/scheduling.js';
import { bindJobs } from './modules/jobs.js';
// modules: import each module's binder here

export type { ModuleBinder, ModuleContext } from './module.js';

const MODULES: readonly ModuleBinder[] = [
  bindRecords,
  bindIdentity,
  bindFiles,
  bindAudit,
  bindNotifications,
  bindScheduling,
  bindJobs,
  // modules: list each module's binder here
];

type MemoryStore<K extends keyof TransactionScope> = TransactionScope[K] & Snapshottable;

/** The Inversify container of one deployment: one adapter per port, chosen by configuration. */
export const buildContainer = async (config: Config, infra: Infrastructure, logger: Logger): Promise<Container> => {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Config).toConstantValue(config);
  container.bind(TOKENS.Infrastructure).toConstantValue(infra);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Clock).toConstantValue(new SystemClock());
  container.bind(TOKENS.IdGenerator).toConstantValue(new UuidV7IdGenerator());
  container.bind(TOKENS.CurrentRequestId).toConstantValue(currentRequestId);

  const db = infra.database;
  // Shared by every POST that creates something (records, files, ...).
  const idempotency = db ? new PostgresIdempotencyStore(db) : new MemoryIdempotencyStore();
  container.bind(TOKENS.IdempotencyStore).toConstantValue(idempotency);
  infra.maintenance.push({ name: 'expired idempotency keys', run: (now) => idempotency.purgeExpired(now) });
  // Events are recorded only inside a unit of work (the outbox commits with the state change): an
  // outbox outside one would, on PGlite, wait on the very transaction it was meant to join. Every
  // commit wakes this process's outbox relay (composition/events.ts).
  const commits = new CommitSignal();
  container.bind(EVENT_TOKENS.Commits).toConstantValue(commits);
  let outbox: OutboxQueue;
  if (db) {
    container.bind(TOKENS.UnitOfWork).toConstantValue(new PostgresUnitOfWork(db, currentRequestId, commits.notify));
    outbox = new PostgresOutboxQueue(db);
  } else {
    const events = new MemoryEventOutbox(currentRequestId);
    outbox = events;
    container
      .bind(TOKENS.UnitOfWork)
      .toResolvedValue(
        // On the memory profile every repository is a memory adapter, so each can snapshot itself.
        (users, records, files, schedules) =>
          new MemoryUnitOfWork(
            {
              users: users as MemoryStore<'users'>,
              records: records as MemoryStore<'records'>,
              files: files as MemoryStore<'files'>,
              schedules: schedules as MemoryStore<'schedules'>,
              events,
              idempotency: (idempotency as MemoryIdempotencyStore).transactional,
            },
            commits.notify,
          ),
        [TOKENS.UserRepository, TOKENS.RecordRepository, TOKENS.FileRepository, TOKENS.ScheduleRepository],
      );
  }
  container.bind(EVENT_TOKENS.OutboxQueue).toConstantValue(outbox);
  const retentionMs = config.events.retentionHours * 3_600_000;
  infra.maintenance.push({
    name: 'delivered outbox events',
    run: (now) => outbox.purgeDelivered(new Date(now.getTime() - retentionMs)),
  });

  const ctx: ModuleContext = { container, config, infra, logger };
  for (const bind of MODULES) await bind(ctx);
  return container;
};
