import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../shared/actor.js';
import { notFound, type DomainError } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import type { DataRecord } from './record.js';
import { canSee } from './record-access.js';
import type { RecordRepository } from './record-repository.js';

export class GetRecord {
  constructor(private readonly records: RecordRepository) {}

  async execute(actor: Actor, id: string): Promise<E.Either<DomainError, DataRecord>> {
    // A malformed id names no record; answering NotFound keeps the database from seeing it.
    const record = isUuid(id) ? await this.records.findById(id.toLowerCase()) : null;
    return canSee(actor, record) ? E.right(record) : E.left(notFound('Record not found'));
  }
}
