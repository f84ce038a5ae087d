/**
 * A data record, e.g. an ETL job definition. Named DataRecord because `Record` is TypeScript's
 * built-in mapped type and shadowing it would confuse every file that imports both.
 */
export const RECORD_STATUSES = ['active', 'inactive', 'archived'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export const isRecordStatus = (value: unknown): value is RecordStatus =>
  typeof value === 'string' && (RECORD_STATUSES as readonly string[]).includes(value);

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface DataRecord {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly description: string | null;
  readonly config: JsonObject;
  readonly status: RecordStatus;
  /** Starts at 1 and grows by one on every stored change: the ETag / If-Match value. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly createdBy: string;
  readonly updatedBy: string;
  readonly deletedAt: Date | null;
}
