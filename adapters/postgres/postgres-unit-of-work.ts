import * as E from 'fp-ts/lib/Either.js';
import type { Transaction } from 'sequelize';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { TransactionScope, UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import { mapDatabaseError, type PostgresDatabase } from './database.js';
import { PostgresEventOutbox } from './postgres-event-outbox.js';
import { PostgresUserRepository } from './postgres-user-repository.js';
import { PostgresRecordRepository } from './postgres-record-repository.js';
import { PostgresFileRepository } from './postgres-file-repository.js';
import { PostgresIdempotencyStore } from './postgres-idempotency-store.js';
import { PostgresScheduleRepository } from './postgres-schedule-repository.js';
// modules: import the Postgres repository of each TransactionScope member here

class RollbackSignal extends Error {}

/** One Sequelize transaction per unit of work; the scope's repositories all run inside it. */
export class PostgresUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly currentRequestId: () => string | null = () => null,
    /** Runs after each unit that commits (wakes this process's outbox relay without a round trip). */
    private readonly onCommit: () => void = () => undefined,
  ) {}

  private scope(transaction: Transaction): TransactionScope {
    return {
      users: new PostgresUserRepository(this.db, transaction),
      records: new PostgresRecordRepository(this.db, transaction),
      files: new PostgresFileRepository(this.db, transaction),
      schedules: new PostgresScheduleRepository(this.db, transaction),
      events: new PostgresEventOutbox(this.db, transaction, this.currentRequestId),
      idempotency: new PostgresIdempotencyStore(this.db, transaction),
      // modules: add each new TransactionScope member here
    };
  }

  async run<T>(work: (scope: TransactionScope) => Promise<E.Either<DomainError, T>>): Promise<E.Either<DomainError, T>> {
    let result: E.Either<DomainError, T> | undefined;
    try {
      await this.db.sequelize.transaction(async (transaction) => {
        result = await work(this.scope(transaction));
        if (E.isLeft(result)) throw new RollbackSignal();
      });
    } catch (error) {
      if (error instanceof RollbackSignal && result) return result;
      throw mapDatabaseError(error);
    }
    if (!result) throw new Error('unit of work finished without a result');
    this.onCommit();
    return result;
  }
}
