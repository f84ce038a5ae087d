import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { FileRepository } from '../ports/file-repository.js';
import { findVisibleFile } from './get-file.js';
import type { FilePolicy } from '../entities/file-policy.js';
import type { ObjectStorage } from '../ports/object-storage.js';

export interface GetFileLinkQuery {
  readonly actor: Actor;
  readonly id: string;
}

export interface FileLink {
  readonly url: string;
  readonly expiresAt: Date;
}

/** A bearer-free, time-limited download link; anyone holding it can download until it expires. */
export class GetFileLink {
  constructor(
    private readonly files: FileRepository,
    private readonly storage: ObjectStorage,
    private readonly clock: Clock,
    private readonly policy: FilePolicy,
  ) {}

  async execute(query: GetFileLinkQuery): Promise<E.Either<DomainError, FileLink>> {
    const found = await findVisibleFile(this.files, query.id, query.actor);
    if (E.isLeft(found)) return found;
    const file = found.right;
    const issuedAt = this.clock.now();
    // Whole seconds: both S3 presigning and the API's own links count in seconds.
    const expiresAt = new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + this.policy.linkTtlSeconds * 1000);
    const url = await this.storage.link(file.objectKey, {
      issuedAt,
      expiresAt,
      filename: file.filename,
      contentType: file.contentType,
    });
    return E.right({ url, expiresAt });
  }
}
