import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { resolveRange, type RangeRequest } from '../entities/byte-range.js';
import type { FileRepository } from '../ports/file-repository.js';
import { findVisibleFile } from './get-file.js';
import type { ObjectContent, ObjectStorage } from '../ports/object-storage.js';
import type { StoredFile } from '../entities/stored-file.js';

export interface DownloadFileQuery {
  readonly actor: Actor;
  readonly id: string;
  readonly range?: RangeRequest | undefined;
  /**
   * A condition on the range (HTTP's If-Range): it is served only while the file's SHA-256 is
   * this one, otherwise the whole file is. `null` is a condition that never holds (a validator the
   * file cannot match); undefined, none.
   */
  readonly rangeIfSha256?: string | null | undefined;
}

export type Download =
  | { readonly _tag: 'Content'; readonly file: StoredFile; readonly content: ObjectContent }
  | { readonly _tag: 'RangeNotSatisfiable'; readonly size: number };

export class DownloadFile {
  constructor(
    private readonly files: FileRepository,
    private readonly storage: ObjectStorage,
  ) {}

  async execute(query: DownloadFileQuery): Promise<E.Either<DomainError, Download>> {
    const found = await findVisibleFile(this.files, query.id, query.actor);
    if (E.isLeft(found)) return found;
    const file = found.right;
    const wanted = query.rangeIfSha256 === undefined || query.rangeIfSha256 === file.sha256 ? query.range : undefined;
    const range = wanted === undefined ? undefined : resolveRange(wanted, file.size);
    if (range === null) return E.right({ _tag: 'RangeNotSatisfiable', size: file.size });
    const content = await this.storage.get(file.objectKey, range);
    // Metadata without bytes (a delete cut short, a store restored from an old backup).
    if (content === null) return E.left(notFound('File content not found'));
    return E.right({ _tag: 'Content', file, content });
  }
}
