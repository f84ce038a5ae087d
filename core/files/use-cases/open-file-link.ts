import * as E from 'fp-ts/lib/Either.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { resolveRange, type RangeRequest } from '../entities/byte-range.js';
import type { ObjectContent, ObjectStorage } from '../ports/object-storage.js';

export interface OpenFileLinkQuery {
  readonly token: string;
  readonly range?: RangeRequest | undefined;
}

export type LinkDownload =
  | {
      readonly _tag: 'Content';
      readonly filename: string;
      readonly contentType: string;
      readonly content: ObjectContent;
    }
  | { readonly _tag: 'RangeNotSatisfiable'; readonly size: number };

/**
 * Serves a link the API issued itself (local disk, memory). A forged, expired or dangling link is
 * NotFound: the holder learns nothing about which it was.
 */
export class OpenFileLink {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly clock: Clock,
  ) {}

  async execute(query: OpenFileLinkQuery): Promise<E.Either<DomainError, LinkDownload>> {
    const target = await this.storage.resolveLink(query.token, this.clock.now());
    if (target === null) return E.left(notFound('Link not found or expired'));
    const stat = await this.storage.stat(target.key);
    if (stat === null) return E.left(notFound('Link not found or expired'));
    const range = query.range === undefined ? undefined : resolveRange(query.range, stat.size);
    if (range === null) return E.right({ _tag: 'RangeNotSatisfiable', size: stat.size });
    const content = await this.storage.get(target.key, range);
    if (content === null) return E.left(notFound('Link not found or expired'));
    return E.right({ _tag: 'Content', filename: target.filename, contentType: target.contentType, content });
  }
}
