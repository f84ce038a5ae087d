import type { KeysetKeys, Sort } from '../../shared/entities/pagination.js';
import type { StoredFile } from './stored-file.js';

export type FileSortField = 'created_at';

/** An owner's files are listed newest first (ties by id, descending), by page or by cursor. */
export const FILES_NEWEST_FIRST: Sort<FileSortField> = { field: 'created_at', direction: 'desc' };

export const FILE_KEYSET: KeysetKeys<StoredFile, FileSortField> = {
  created_at: { kind: 'time', valueOf: (f) => f.createdAt.toISOString() },
};
