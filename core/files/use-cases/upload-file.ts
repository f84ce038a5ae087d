import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { tooLarge, unsupportedContent, type DomainError } from '../../shared/entities/errors.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import { completeWithin, type IdempotentCompletion } from '../../shared/ports/idempotency-store.js';
import type { TransactionScope, UnitOfWork } from '../../shared/ports/unit-of-work.js';
import { SNIFF_BYTES, type ContentTypeDetector } from '../ports/content-type-detector.js';
import type { FileRepository } from '../ports/file-repository.js';
import { normaliseMediaType, type FilePolicy } from '../entities/file-policy.js';
import type { ObjectStorage } from '../ports/object-storage.js';
import { readHead } from '../entities/read-head.js';
import { displayFilename, objectKeyOf, type StoredFile } from '../entities/stored-file.js';

export interface UploadFileCommand {
  readonly actor: Actor;
  readonly filename: string;
  readonly declaredType: string | null;
  readonly body: AsyncIterable<Uint8Array>;
  /** Written in the same unit of work as the metadata (the response to an Idempotency-Key). */
  readonly completion?: IdempotentCompletion<StoredFile> | undefined;
}

/**
 * Object first, metadata after (the size and checksum are only known once the bytes are in). When
 * the metadata is refused or fails, the object is deleted; if that delete fails too, or the process
 * dies between the two writes, the object stays without metadata until SweepOrphanObjects removes it.
 */
export class UploadFile {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly detector: ContentTypeDetector,
    private readonly files: FileRepository,
    private readonly uow: UnitOfWork,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly policy: FilePolicy,
  ) {}

  async execute(cmd: UploadFileCommand): Promise<E.Either<DomainError, StoredFile>> {
    const owner = cmd.actor.userId;
    const room = this.policy.quotaBytes - (await this.files.totalBytesByOwner(owner));
    const peeked = await readHead(cmd.body, SNIFF_BYTES);
    const declared = normaliseMediaType(cmd.declaredType);
    const contentType = await this.detector.detect(peeked.head, declared);
    const refusal = this.refusal(room, contentType, declared);
    if (refusal !== null) {
      await peeked.close();
      return E.left(refusal);
    }
    const id = this.ids.next();
    const objectKey = objectKeyOf(id);
    const maxBytes = Math.min(this.policy.maxBytes, room);
    const stored = await this.storage.put(objectKey, peeked.body, { maxBytes, contentType });
    if (E.isLeft(stored)) {
      const quotaBound = maxBytes < this.policy.maxBytes;
      return E.left(tooLarge(quotaBound ? 'Storage quota exceeded' : `Files are limited to ${this.policy.maxBytes} bytes`));
    }
    const { size, sha256 } = stored.right;
    const filename = displayFilename(cmd.filename);
    const file: StoredFile = { id, ownerId: owner, filename, contentType, size, sha256, objectKey, createdAt: this.clock.now(), deletedAt: null };
    let saved: E.Either<DomainError, StoredFile>;
    try {
      saved = await this.uow.run((scope) => this.saveMetadata(scope, file, cmd.completion));
    } catch (error) {
      await this.discard(objectKey);
      throw error;
    }
    if (E.isLeft(saved)) await this.discard(objectKey);
    return saved;
  }

  /**
   * Best effort, so that the caller gets the reason the upload failed rather than the store's
   * complaint: an object left behind has no metadata, and SweepOrphanObjects removes it later.
   */
  private async discard(objectKey: string): Promise<void> {
    await this.storage.delete(objectKey).catch(() => undefined);
  }

  private refusal(room: number, contentType: string, declared: string | null): DomainError | null {
    if (room <= 0) return tooLarge('Storage quota exceeded');
    if (!this.policy.allowedTypes.includes(contentType)) {
      return unsupportedContent(`Files of type ${contentType} are not accepted`);
    }
    if (declared !== null && declared !== contentType) {
      return unsupportedContent(`The content is ${contentType}, not ${declared}`);
    }
    return null;
  }

  private async saveMetadata(
    scope: TransactionScope,
    file: StoredFile,
    completion: IdempotentCompletion<StoredFile> | undefined,
  ): Promise<E.Either<DomainError, StoredFile>> {
    // Checked again inside the transaction: uploads running side by side all passed the first check.
    if ((await scope.files.totalBytesByOwner(file.ownerId)) + file.size > this.policy.quotaBytes) {
      return E.left(tooLarge('Storage quota exceeded'));
    }
    const inserted = await scope.files.insert(file);
    await scope.events.record(
      newEvent(this.ids, this.clock, {
        type: 'file.uploaded',
        actorId: file.ownerId,
        subjectId: file.id,
        data: { size: file.size, content_type: file.contentType },
      }),
    );
    return completeWithin(scope.idempotency, completion, inserted);
  }
}
