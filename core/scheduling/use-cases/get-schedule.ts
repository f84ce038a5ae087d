import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { Schedule } from '../entities/schedule.js';
import { canSee } from '../entities/schedule-access.js';
import type { ScheduleRepository } from '../ports/schedule-repository.js';

export class GetSchedule {
  constructor(private readonly schedules: ScheduleRepository) {}

  async execute(actor: Actor, id: string): Promise<E.Either<DomainError, Schedule>> {
    const schedule = await findByEntityId(id, (key) => this.schedules.findById(key));
    return canSee(actor, schedule) ? E.right(schedule) : E.left(notFound('Schedule not found'));
  }
}
