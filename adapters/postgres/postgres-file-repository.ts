import type * as E from 'fp-ts/lib/Either.js';
import { QueryTypes, type Transaction } from 'sequelize';
import { FILE_KEYSET, FILES_NEWEST_FIRST, type FileSortField } from '../../core/files/entities/file-cursor.js';
import type { FileRepository } from '../../core/files/ports/file-repository.js';
import type { StoredFile } from '../../core/files/entities/stored-file.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import { isUuid } from '../../core/shared/entities/entity-id.js';
import type { Page, PageQuery } from '../../core/shared/entities/pagination.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';
import { listKeyset, type KeysetTable } from './keyset-page.js';
import type { StoredFileRow } from './models/stored-file.js';

const toFile = (row: StoredFileRow): StoredFile => ({
  id: row.id,
  ownerId: row.owner_id,
  filename: row.filename,
  contentType: row.content_type,
  size: Number(row.size),
  sha256: row.sha256,
  objectKey: row.object_key,
  createdAt: new Date(row.created_at),
  deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at),
});

const toRow = (f: StoredFile): StoredFileRow => ({
  id: f.id,
  owner_id: f.ownerId,
  filename: f.filename,
  content_type: f.contentType,
  size: f.size,
  sha256: f.sha256,
  object_key: f.objectKey,
  created_at: f.createdAt,
  deleted_at: f.deletedAt,
});

// The sort key as the `files_owner_created_idx` index of migrations/0005-files.ts spells it.
const FILES: KeysetTable<StoredFileRow, StoredFile, FileSortField> = {
  table: 'files',
  sql: { created_at: { expression: 'created_at', type: 'timestamptz' } },
  keys: FILE_KEYSET,
  toItem: toFile,
};

export class PostgresFileRepository implements FileRepository {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly transaction?: Transaction,
  ) {}

  async insert(file: StoredFile): Promise<StoredFile> {
    const row = await guarded(() => this.db.models.StoredFile.create(toRow(file), inTx(this.transaction)));
    return toFile(row.get({ plain: true }));
  }

  async findById(id: string): Promise<StoredFile | null> {
    // Postgres rejects a malformed uuid outright; such an id simply names no file.
    if (!isUuid(id)) return null;
    const row = await guarded(() =>
      this.db.models.StoredFile.findOne({ where: { id, deleted_at: null }, raw: true, ...inTx(this.transaction) }),
    );
    return row ? toFile(row) : null;
  }

  async listByOwner(ownerId: string, page: PageQuery): Promise<E.Either<DomainError, Page<StoredFile>>> {
    const filter = { where: ['owner_id = $owner::uuid', 'deleted_at IS NULL'], bind: { owner: ownerId } };
    return listKeyset(this.db, this.transaction, FILES, filter, FILES_NEWEST_FIRST, page);
  }

  async delete(id: string, deletedAt: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const [count] = await guarded(() =>
      this.db.models.StoredFile.update({ deleted_at: deletedAt }, { where: { id, deleted_at: null }, ...inTx(this.transaction) }),
    );
    return count === 1;
  }

  async totalBytesByOwner(ownerId: string): Promise<number> {
    if (this.transaction) {
      // READ COMMITTED lets two uploads each see the other's bytes as absent; a per-owner
      // transaction lock makes the second wait for the first to commit and then count it.
      await guarded(() =>
        this.db.sequelize.query("SELECT pg_advisory_xact_lock(hashtextextended('portside.files.quota:' || $owner, 0))", {
          bind: { owner: ownerId },
          type: QueryTypes.SELECT,
          transaction: this.transaction,
        }),
      );
    }
    const [row] = await guarded(() =>
      this.db.sequelize.query<{ total: string | null }>(
        'SELECT sum(size) AS total FROM files WHERE owner_id = $owner::uuid AND deleted_at IS NULL',
        { bind: { owner: ownerId }, type: QueryTypes.SELECT, ...inTx(this.transaction) },
      ),
    );
    return Number(row?.total ?? 0);
  }
}
