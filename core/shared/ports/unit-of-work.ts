import type { Either } from 'fp-ts/lib/Either.js';
import type { DomainError } from '../entities/errors.js';
import type { EventOutbox } from '../entities/events.js';
import type { IdempotencyLedger } from './idempotency-store.js';
import type { UserRepository } from '../../identity/ports/user-repository.js';
import type { RecordRepository } from '../../records/ports/record-repository.js';
import type { FileRepository } from '../../files/ports/file-repository.js';
import type { ScheduleRepository } from '../../scheduling/ports/schedule-repository.js';

/** Repositories bound to one transaction, plus the outbox its domain events go to. */
export interface TransactionScope {
  readonly users: UserRepository;
  readonly records: RecordRepository;
  readonly files: FileRepository;
  readonly schedules: ScheduleRepository;
  readonly events: EventOutbox;
  /** Idempotency-Key responses, so that one commits with the effect it answers. */
  readonly idempotency: IdempotencyLedger;
}

/**
 * Several writes plus their domain events, all or nothing. The work commits when it returns a
 * Right, rolls back when it returns a Left, and rolls back and rethrows when it throws.
 * Adapters may serialise units of work; never start one inside another.
 */
export interface UnitOfWork {
  run<T>(work: (scope: TransactionScope) => Promise<Either<DomainError, T>>): Promise<Either<DomainError, T>>;
}
