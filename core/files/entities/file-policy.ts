/** Limits of the files module, decoded from configuration by the composition root. */
export interface FilePolicy {
  /** Largest single upload. */
  readonly maxBytes: number;
  /** Total bytes of live files one user may keep. */
  readonly quotaBytes: number;
  /** Media types (lower case, no parameters) accepted after detection from the bytes. */
  readonly allowedTypes: readonly string[];
  /** Lifetime of links from GET /files/{id}/url. */
  readonly linkTtlSeconds: number;
}

/** SVG and HTML are left out on purpose: a browser would run their scripts. */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/json',
];

const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);
const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-zip-compressed': 'application/zip',
  'text/x-csv': 'text/csv',
  'application/csv': 'text/csv',
  'text/json': 'application/json',
};

/** Lower case, without parameters, with common misspellings folded; null for "no claim". */
export const normaliseMediaType = (raw: string | null | undefined): string | null => {
  const bare = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if (GENERIC_TYPES.has(bare)) return null;
  return ALIASES[bare] ?? bare;
};
