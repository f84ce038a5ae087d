import { isUuid } from '../shared/ids.js';
import { decodeCursor, encodeCursor, sortKey, type Sort } from '../shared/pagination.js';
import type { DataRecord } from './record.js';
import type { RecordSortField } from './record-repository.js';

/** A decoded keyset position for records: the sort key's value (ISO time or lower-cased name) and id. */
export interface RecordPosition {
  readonly value: string;
  readonly id: string;
}

/**
 * The name sort is case-insensitive: both adapters order by the lower-cased name, so that is the
 * value a cursor carries.
 */
export const sortValueOf = (record: DataRecord, field: RecordSortField): string => {
  switch (field) {
    case 'created_at':
      return record.createdAt.toISOString();
    case 'updated_at':
      return record.updatedAt.toISOString();
    case 'name':
      return record.name.toLowerCase();
  }
};

export const recordCursor = (record: DataRecord, sort: Sort<RecordSortField>, value = sortValueOf(record, sort.field)): string =>
  encodeCursor({ sort: sortKey(sort), value, id: record.id });

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** null for anything that could not have come from `recordCursor` with this sort. */
export const decodeRecordCursor = (cursor: string, sort: Sort<RecordSortField>): RecordPosition | null => {
  const position = decodeCursor(cursor, sortKey(sort));
  if (position === null || typeof position.value !== 'string' || !isUuid(position.id)) return null;
  if (sort.field !== 'name' && !(ISO_TIME.test(position.value) && !Number.isNaN(Date.parse(position.value)))) return null;
  return { value: position.value, id: position.id.toLowerCase() };
};
