import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { DataRecord } from '../entities/record.js';
import { canSee } from '../entities/record-access.js';
import type { RecordRepository } from '../ports/record-repository.js';

export class GetRecord {
  constructor(private readonly records: RecordRepository) {}

  async execute(actor: Actor, id: string): Promise<E.Either<DomainError, DataRecord>> {
    // A malformed id names no record; answering NotFound keeps the database from seeing it.
    const record = await findByEntityId(id, (key) => this.records.findById(key));
    return canSee(actor, record) ? E.right(record) : E.left(notFound('Record not found'));
  }
}
