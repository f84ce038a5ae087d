import type { KeysetKeys } from '../../shared/entities/pagination.js';
import type { DataRecord } from './record.js';
import type { RecordSortField } from '../ports/record-repository.js';

/** Record sort keys as cursors carry them; the name sort is case-insensitive in both adapters. */
export const RECORD_KEYSET: KeysetKeys<DataRecord, RecordSortField> = {
  created_at: { kind: 'time', valueOf: (r) => r.createdAt.toISOString() },
  updated_at: { kind: 'time', valueOf: (r) => r.updatedAt.toISOString() },
  name: { kind: 'text', valueOf: (r) => r.name.toLowerCase() },
};
