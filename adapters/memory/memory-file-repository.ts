import type * as E from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery } from '../../core/shared/entities/pagination.js';
import { FILE_KEYSET, FILES_NEWEST_FIRST } from '../../core/files/entities/file-cursor.js';
import type { FileRepository } from '../../core/files/ports/file-repository.js';
import type { StoredFile } from '../../core/files/entities/stored-file.js';
import { keysetPage } from './keyset-page.js';
import { snapshotMap, type Snapshottable } from './snapshot.js';

export class MemoryFileRepository implements FileRepository, Snapshottable {
  private readonly rows = new Map<string, StoredFile>();

  async insert(file: StoredFile): Promise<StoredFile> {
    this.rows.set(file.id, file);
    return file;
  }

  async findById(id: string): Promise<StoredFile | null> {
    const row = this.rows.get(id);
    return row && row.deletedAt === null ? row : null;
  }

  async listByOwner(ownerId: string, page: PageQuery): Promise<E.Either<DomainError, Page<StoredFile>>> {
    return keysetPage(
      this.live().filter((f) => f.ownerId === ownerId),
      FILE_KEYSET,
      FILES_NEWEST_FIRST,
      page,
    );
  }

  async delete(id: string, deletedAt: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.deletedAt !== null) return false;
    this.rows.set(id, { ...row, deletedAt });
    return true;
  }

  async totalBytesByOwner(ownerId: string): Promise<number> {
    return this.live()
      .filter((f) => f.ownerId === ownerId)
      .reduce((sum, f) => sum + f.size, 0);
  }

  snapshot(): () => void {
    return snapshotMap(this.rows);
  }

  private live(): StoredFile[] {
    return [...this.rows.values()].filter((f) => f.deletedAt === null);
  }
}
