import { invalidField, type DomainError } from './errors.js';
import { isCalendarDateTime } from './calendar.js';
import { isUuid } from './entity-id.js';

/** Page/size pagination with optional keyset cursors (see docs/api.md). */
export interface PageQuery {
  readonly page: number;
  readonly size: number;
  /** Opaque keyset cursor; when present, `page` is ignored. */
  readonly cursor?: string | undefined;
  /** Count every match even in cursor mode (`with_total=true`); page mode always counts. */
  readonly withTotal?: boolean | undefined;
}

export type SortDirection = 'asc' | 'desc';

export interface Sort<F extends string> {
  readonly field: F;
  readonly direction: SortDirection;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Every match, or null in cursor mode when the caller did not ask for it (see `countsTotal`). */
  readonly total: number | null;
  readonly page: number;
  readonly size: number;
  /** Set in cursor mode: the cursor of the next page, or null at the end. */
  readonly nextCursor?: string | null;
}

export interface PageMeta {
  readonly total: number | null;
  readonly page: number;
  readonly size: number;
  readonly pages: number | null;
  readonly hasNext: boolean;
  readonly hasPrev: boolean;
  readonly nextCursor?: string | null;
}

export const pageMeta = (p: Page<unknown>): PageMeta => {
  const pages = p.total === null ? null : Math.max(1, Math.ceil(p.total / p.size));
  const cursorMode = p.nextCursor !== undefined;
  return {
    total: p.total,
    page: p.page,
    size: p.size,
    pages,
    hasNext: cursorMode ? p.nextCursor !== null : pages !== null && p.page < pages,
    hasPrev: p.page > 1,
    ...(cursorMode ? { nextCursor: p.nextCursor ?? null } : {}),
  };
};

export const offsetOf = (q: PageQuery): number => (q.page - 1) * q.size;

export const MAX_PAGE_SIZE = 100;

/**
 * Page mode serves rows by offset, whose cost grows with depth: no page may reach past this row.
 * Deeper rows are reached with `cursor`, whose cost does not grow.
 */
export const MAX_OFFSET_ROWS = 10_000;

/**
 * Whether a list counts every match for this query. Counting costs a scan of every match, so a
 * cursor page (whose own cost is flat) skips it unless the caller asked with `withTotal`.
 */
export const countsTotal = (q: PageQuery): boolean => q.cursor === undefined || q.withTotal === true;

/** An empty page as the query asked for it (total 0 only where the query counts). */
export const emptyPage = <T>(q: PageQuery): Page<T> => ({
  items: [],
  total: countsTotal(q) ? 0 : null,
  page: q.page,
  size: q.size,
  nextCursor: null,
});


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

/** A decoded keyset position: the sort key's value (ISO time or lower-cased text) and the row id. */
export interface KeysetPosition {
  readonly value: string;
  readonly id: string;
}

/**
 * How one sort key appears in a cursor: a time (ISO 8601 UTC instant) or text (the lower-cased
 * text both adapters order by), and the value an item has for it.
 */
export interface KeysetKey<T> {
  readonly kind: 'time' | 'text';
  readonly valueOf: (item: T) => string;
}

/** A list's sort keys, one per allowed sort field. */
export type KeysetKeys<T, F extends string> = { readonly [K in F]: KeysetKey<T> };

export const keysetCursor = (sort: Sort<string>, position: KeysetPosition): string =>
  encodeCursor({ sort: sortKey(sort), value: position.value, id: position.id });

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** null for anything that could not have come from `keysetCursor` for this list and sort. */
export const decodeKeysetCursor = <T, F extends string>(cursor: string, sort: Sort<F>, keys: KeysetKeys<T, F>): KeysetPosition | null => {
  const position = decodeCursor(cursor, sortKey(sort));
  if (position === null || typeof position.value !== 'string' || !isUuid(position.id)) return null;
  if (keys[sort.field].kind === 'time' && !(ISO_TIME.test(position.value) && isCalendarDateTime(position.value))) return null;
  return { value: position.value, id: position.id.toLowerCase() };
};

/**
 * The first thing wrong with a page query (size, page, then a cursor not made for this list and
 * sort), or null. Use cases check it before any filter runs, so even a list that is empty for the
 * caller refuses a bad cursor.
 */
export const pageQueryError = <T, F extends string>(page: PageQuery, sort: Sort<F>, keys: KeysetKeys<T, F>): DomainError | null => {
  if (!Number.isInteger(page.size) || page.size < 1 || page.size > MAX_PAGE_SIZE) {
    return invalidField('size', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  if (!Number.isInteger(page.page) || page.page < 1) return invalidField('page', 'must be 1 or more');
  if (page.cursor === undefined && page.page * page.size > MAX_OFFSET_ROWS) {
    return invalidField(
      'page',
      `reaches past row ${MAX_OFFSET_ROWS}: page deeper with cursor (pass meta.next_cursor as cursor), whose cost does not grow with depth`,
    );
  }
  if (page.cursor !== undefined && decodeKeysetCursor(page.cursor, sort, keys) === null) {
    return invalidField('cursor', 'is not a cursor from this list with this sort');
  }
  return null;
};
