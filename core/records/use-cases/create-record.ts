import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { validation, type DomainError } from '../../shared/entities/errors.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import { completeWithin, type IdempotentCompletion } from '../../shared/ports/idempotency-store.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { CronValidator } from '../ports/cron-validator.js';
import type { DataRecord, JsonObject, RecordStatus } from '../entities/record.js';
import { recordFieldIssues } from '../entities/record-rules.js';

export interface CreateRecordInput {
  readonly name: string;
  readonly description?: string | null | undefined;
  /** Defaults to `{}`. */
  readonly config?: unknown;
  /** Defaults to `active`. */
  readonly status?: RecordStatus | undefined;
}

/** Creates a record owned by the caller: nobody creates records on someone else's behalf. */
export class CreateRecord {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly cron: CronValidator,
  ) {}

  /** `completion`: written in the same unit of work as the record (the response to an Idempotency-Key). */
  async execute(actor: Actor, input: CreateRecordInput, completion?: IdempotentCompletion<DataRecord>): Promise<E.Either<DomainError, DataRecord>> {
    const issues = recordFieldIssues(input, this.cron);
    if (issues.length > 0) return E.left(validation(issues));
    const now = this.clock.now();
    const record: DataRecord = {
      id: this.ids.next(),
      ownerId: actor.userId,
      name: input.name.trim(),
      description: input.description ?? null,
      config: (input.config ?? {}) as JsonObject,
      status: input.status ?? 'active',
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: actor.userId,
      updatedBy: actor.userId,
      deletedAt: null,
    };
    return this.uow.run(async (scope) => {
      const saved = await scope.records.insert(record);
      await scope.events.record(
        newEvent(this.ids, this.clock, {
          type: 'record.created',
          actorId: actor.userId,
          subjectId: saved.id,
          data: { owner_id: saved.ownerId, name: saved.name, status: saved.status },
        }),
      );
      return completeWithin(scope.idempotency, completion, saved);
    });
  }
}
