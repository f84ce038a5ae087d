import type { ServiceIdentifier } from 'inversify';
import type { Clock } from '../core/shared/ports/clock.js';
import type { IdGenerator } from '../core/shared/ports/ids.js';
import type { Logger } from '../core/shared/ports/logger.js';
import type { UnitOfWork } from '../core/shared/ports/unit-of-work.js';
import type { AnyRoute } from '../adapters/http/route.js';
import type { ReadinessCheck } from '../adapters/http/app.js';
import type { DomainError } from '../core/shared/entities/errors.js';
import type { Actor } from '../core/shared/entities/actor.js';
import type { UserRepository } from '../core/identity/ports/user-repository.js';
import type { RecordRepository } from '../core/records/ports/record-repository.js';
import type { FileRepository } from '../core/files/ports/file-repository.js';
import type { ScheduleRepository } from '../core/scheduling/ports/schedule-repository.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type { IdempotencyStore } from '../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../adapters/shared/stored-response.js';
import type { EventHandler } from '../core/shared/ports/event-handler.js';
import type { NotificationRule } from '../core/notifications/ports/notification-rule.js';
import type { Config } from './config.js';
import type { Infrastructure } from './infrastructure.js';

/** A container key; `Symbol.for` so that a key means the same thing wherever it is written. */
export const token = <T>(name: string): ServiceIdentifier<T> => Symbol.for(`portside.${name}`);

/** Container keys for what every module shares. Each module declares its own tokens in its file. */
export const TOKENS = {
  Config: token<Config>('Config'),
  Infrastructure: token<Infrastructure>('Infrastructure'),
  Logger: token<Logger>('Logger'),
  Clock: token<Clock>('Clock'),
  IdGenerator: token<IdGenerator>('IdGenerator'),
  UnitOfWork: token<UnitOfWork>('UnitOfWork'),
  CurrentRequestId: token<() => string | null>('CurrentRequestId'),
  /** The repositories a unit of work binds (each module binds its own; the memory unit of work shares them). */
  UserRepository: token<UserRepository>('UserRepository'),
  RecordRepository: token<RecordRepository>('RecordRepository'),
  FileRepository: token<FileRepository>('FileRepository'),
  ScheduleRepository: token<ScheduleRepository>('ScheduleRepository'),
  /** Replays of creating POSTs (Idempotency-Key). */
  IdempotencyStore: token<IdempotencyStore<StoredResponse>>('IdempotencyStore'),
  /** Verifies a bearer access token and its session (bound by the identity module). */
  Authenticate: token<(accessToken: string) => Promise<Either<DomainError, Actor>>>('Authenticate'),
  /** Multi-bound: every module binds its route definitions here. */
  Routes: token<readonly AnyRoute[]>('Routes'),
  /** Multi-bound: readiness checks of the configured dependencies. */
  Readiness: token<ReadinessCheck>('Readiness'),
  /** Multi-bound: handlers of committed domain events. */
  EventHandler: token<EventHandler>('EventHandler'),
  /** Multi-bound: rules turning domain events into notifications. */
  NotificationRule: token<NotificationRule>('NotificationRule'),
};
