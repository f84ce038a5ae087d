import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { Job } from '../entities/job.js';
import type { JobQueue } from '../ports/job-queue.js';

/** A job for its owner or an admin; anyone else gets NotFound, as for an unknown id. */
export class GetJob {
  constructor(private readonly queue: JobQueue) {}

  async execute(actor: Actor, id: string): Promise<E.Either<DomainError, Job>> {
    const job = await findByEntityId(id, (key) => this.queue.findById(key));
    if (job === null || (!actor.isAdmin && job.ownerId !== actor.userId)) return E.left(notFound('Job not found'));
    return E.right(job);
  }
}
