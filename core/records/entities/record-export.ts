import type { DataRecord, RecordStatus } from './record.js';

/** The job type of an export of records (`POST /records/export`); its result is `{file_id}`. */
export const RECORD_EXPORT_JOB = 'records.export';
export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The job's payload: the filter as resolved for the caller when it was asked for. */
export interface ExportPayload {
  readonly format: ExportFormat;
  readonly ownerId: string | null;
  readonly status: RecordStatus | null;
  readonly q: string | null;
  /** A non-admin asked for someone else's records: the export is empty, like the list. */
  readonly empty: boolean;
}

export const CSV_COLUMNS = ['id', 'owner_id', 'name', 'description', 'status', 'version', 'config', 'created_at', 'updated_at', 'created_by', 'updated_by'] as const;

export const recordExportView = (r: DataRecord): Record<(typeof CSV_COLUMNS)[number], unknown> => ({
  id: r.id,
  owner_id: r.ownerId,
  name: r.name,
  description: r.description,
  status: r.status,
  version: r.version,
  config: r.config,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
  created_by: r.createdBy,
  updated_by: r.updatedBy,
});

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled; null is empty. */
export const csvField = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvLine = (values: readonly unknown[]): string => `${values.map(csvField).join(',')}\r\n`;

