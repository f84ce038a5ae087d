/** Page/size pagination with optional keyset cursors (see docs/api.md). */
export interface PageQuery {
  readonly page: number;
  readonly size: number;
  /** Opaque keyset cursor; when present, `page` is ignored. */
  readonly cursor?: string | undefined;
}

export type SortDirection = 'asc' | 'desc';

export interface Sort<F extends string> {
  readonly field: F;
  readonly direction: SortDirection;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
  /** Set in cursor mode: the cursor of the next page, or null at the end. */
  readonly nextCursor?: string | null;
}

export interface PageMeta {
  readonly total: number;
  readonly page: number;
  readonly size: number;
  readonly pages: number;
  readonly hasNext: boolean;
  readonly hasPrev: boolean;
  readonly nextCursor?: string | null;
}

export const pageMeta = (p: Page<unknown>): PageMeta => {
  const pages = Math.max(1, Math.ceil(p.total / p.size));
  const cursorMode = p.nextCursor !== undefined;
  return {
    total: p.total,
    page: p.page,
    size: p.size,
    pages,
    hasNext: cursorMode ? p.nextCursor !== null : p.page < pages,
    hasPrev: p.page > 1,
    ...(cursorMode ? { nextCursor: p.nextCursor ?? null } : {}),
  };
};

export const offsetOf = (q: PageQuery): number => (q.page - 1) * q.size;


/**
 * A keyset position: the sort key's value and the id of the last row served, tied to the sort it
 * was made for so that a cursor replayed with another sort is refused rather than misread.
 */
export interface CursorPosition {
  readonly sort: string;
  readonly value: string | number | null;
  readonly id: string;
}

export const sortKey = (s: Sort<string>): string => `${s.direction === 'desc' ? '-' : ''}${s.field}`;

export const encodeCursor = (position: CursorPosition): string =>
  Buffer.from(JSON.stringify([position.sort, position.value, position.id]), 'utf8').toString('base64url');

/** Returns null for anything that is not a cursor this server made for `sort`. */
export const decodeCursor = (cursor: string, sort: string): CursorPosition | null => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3) return null;
    const [s, value, id] = parsed as unknown[];
    if (s !== sort || typeof id !== 'string') return null;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') return null;
    return { sort, value, id };
  } catch {
    return null;
  }
};
