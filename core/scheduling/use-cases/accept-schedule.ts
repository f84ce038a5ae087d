import type * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { Schedule } from '../entities/schedule.js';
import { byUser } from '../entities/schedule-transitions.js';
import { transitionSchedule } from './transition-schedule.js';

/** The giver accepts a taker's pending request: it becomes booked. */
export class AcceptSchedule {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  execute(actor: Actor, id: string, acceptedVersions?: readonly number[]): Promise<E.Either<DomainError, Schedule>> {
    return transitionSchedule({ uow: this.uow, ids: this.ids, clock: this.clock }, { action: 'accept', event: 'schedule.accepted' }, byUser(actor), id, acceptedVersions);
  }
}
