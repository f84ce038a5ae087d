import * as E from 'fp-ts/lib/Either.js';
import { invalidField, type DomainError } from '../../core/shared/entities/errors.js';
import { countsTotal, decodeKeysetCursor, keysetCursor, offsetOf, type KeysetKeys, type KeysetPosition, type Page, type PageQuery, type Sort } from '../../core/shared/entities/pagination.js';

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One page of `matching`, ordered and sought exactly as the Postgres adapters do: by the sort
 * key's cursor value (byte order, as `COLLATE "C"`; ISO times order as the instants do), then id
 * in the same direction. A cursor starts the page after its position, whether or not its row
 * still exists; one made for another list or sort is refused.
 */
export const keysetPage = <T extends { readonly id: string }, F extends string>(
  matching: Iterable<T>,
  keys: KeysetKeys<T, F>,
  sort: Sort<F>,
  page: PageQuery,
): E.Either<DomainError, Page<T>> => {
  const after = page.cursor === undefined ? null : decodeKeysetCursor(page.cursor, sort, keys);
  if (page.cursor !== undefined && after === null) return E.left(invalidField('cursor', 'is not a cursor for this sort'));
  const sign = sort.direction === 'asc' ? 1 : -1;
  const order = (a: KeysetPosition, b: KeysetPosition): number => sign * (compare(a.value, b.value) || compare(a.id, b.id));
  const keyed = [...matching].map((item) => ({ item, value: keys[sort.field].valueOf(item), id: item.id })).sort(order);
  const start = after === null ? offsetOf(page) : keyed.filter((k) => order(k, after) <= 0).length;
  const slice = keyed.slice(start, start + page.size);
  const last = slice.at(-1);
  const more = start + page.size < keyed.length;
  return E.right({
    items: slice.map((k) => k.item),
    total: countsTotal(page) ? keyed.length : null,
    page: page.page,
    size: page.size,
    nextCursor: more && last ? keysetCursor(sort, last) : null,
  });
};
