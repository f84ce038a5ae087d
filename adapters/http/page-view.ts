import * as t from 'io-ts';
import { pageMeta, type Page, type PageQuery } from '../../core/shared/entities/pagination.js';
import { nullable } from './codecs.js';

const pageMetaProps = {
  total: t.number,
  page: t.number,
  size: t.number,
  pages: t.number,
  has_next: t.boolean,
  has_prev: t.boolean,
};

/** The `meta` of a short list paged by `page`/`size` only, whose total is always counted. */
export const PageMetaView = t.type(pageMetaProps);

/**
 * The `meta` of a list that also pages by cursor (cursorQueryProps). In cursor mode `total` and
 * `pages` are null unless the query said `with_total=true`.
 */
export const CursorPageMetaView = t.type({
  ...pageMetaProps,
  total: nullable(t.number),
  pages: nullable(t.number),
  next_cursor: nullable(t.string),
});

/** The page a list query asks for. With a cursor, `page` means nothing and is taken as 1. */
export const pageQueryOf = (query: {
  readonly page?: number;
  readonly size?: number;
  readonly cursor?: string;
  readonly with_total?: boolean;
}): PageQuery => ({
  page: query.cursor === undefined ? (query.page ?? 1) : 1,
  size: query.size ?? 20,
  cursor: query.cursor,
  withTotal: query.with_total === true,
});

/** With a cursor the meta says page 1, and has_prev says that rows came before the cursor. */
export const cursorPageMeta = (p: Page<unknown>, fromCursor: boolean): t.TypeOf<typeof CursorPageMetaView> => {
  const m = pageMeta(p);
  return {
    total: m.total,
    page: m.page,
    size: m.size,
    pages: m.pages,
    has_next: m.hasNext,
    has_prev: fromCursor || m.hasPrev,
    next_cursor: m.nextCursor ?? null,
  };
};
