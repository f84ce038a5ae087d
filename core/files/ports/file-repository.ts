import type { Either } from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { Page, PageQuery } from '../../shared/entities/pagination.js';
import type { StoredFile } from '../entities/stored-file.js';

/** File metadata. Deleted files are invisible to every read and no longer count against quota. */
export interface FileRepository {
  insert(file: StoredFile): Promise<StoredFile>;
  findById(id: string): Promise<StoredFile | null>;
  /**
   * Newest first (ties broken by id, descending), by page or, with `page.cursor`, after the
   * cursor's position (keyset; see RecordRepository.list for the cursor and total rules). A cursor
   * not made for this list is Left(Validation) on field `cursor`.
   */
  listByOwner(ownerId: string, page: PageQuery): Promise<Either<DomainError, Page<StoredFile>>>;
  /** Soft delete (sets `deletedAt`). Returns false when there was no such live file. */
  delete(id: string, deletedAt: Date): Promise<boolean>;
  /**
   * Sum of the sizes of the owner's live files, for the quota. Inside a unit of work it also holds
   * the owner's quota lock until the transaction ends, so that concurrent uploads of one owner
   * check the quota one after another rather than all passing it.
   */
  totalBytesByOwner(ownerId: string): Promise<number>;
}
