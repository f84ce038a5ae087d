import { offsetOf, type Page, type PageQuery } from '../../core/shared/pagination.js';
import type { FileRepository } from '../../core/files/file-repository.js';
import type { StoredFile } from '../../core/files/stored-file.js';
import { snapshotMap, type Snapshottable } from './snapshot.js';

const newestFirst = (a: StoredFile, b: StoredFile): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

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

  async listByOwner(ownerId: string, page: PageQuery): Promise<Page<StoredFile>> {
    const owned = this.live().filter((f) => f.ownerId === ownerId).sort(newestFirst);
    const start = offsetOf(page);
    return { items: owned.slice(start, start + page.size), total: owned.length, page: page.page, size: page.size };
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
