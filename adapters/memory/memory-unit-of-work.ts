import * as E from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { TransactionScope, UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import type { Snapshottable } from './snapshot.js';

type MemoryScope = { readonly [K in keyof TransactionScope]: TransactionScope[K] & Snapshottable };

/**
 * Runs units of work one after another; a Left or a throw restores every store to the snapshot
 * taken when the unit began, so the memory profile is all-or-nothing like Postgres.
 */
export class MemoryUnitOfWork implements UnitOfWork {
  private tail: Promise<unknown> = Promise.resolve();

  /** `onCommit` runs after each unit that commits (the outbox relay wakes on it). */
  constructor(
    private readonly stores: MemoryScope,
    private readonly onCommit: () => void = () => undefined,
  ) {}

  run<T>(work: (scope: TransactionScope) => Promise<E.Either<DomainError, T>>): Promise<E.Either<DomainError, T>> {
    const next = this.tail.then(() => this.runNow(work));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async runNow<T>(work: (scope: TransactionScope) => Promise<E.Either<DomainError, T>>): Promise<E.Either<DomainError, T>> {
    const restores = Object.values(this.stores).map((store: Snapshottable) => store.snapshot());
    const rollback = () => restores.forEach((restore) => restore());
    try {
      const result = await work(this.stores);
      if (E.isLeft(result)) rollback();
      else this.onCommit();
      return result;
    } catch (error) {
      rollback();
      throw error;
    }
  }
}
