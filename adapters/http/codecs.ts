import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { isUuid } from '../../core/shared/ports/ids.js';
import type { Sort } from '../../core/shared/entities/pagination.js';
import { documented } from './schema-registry.js';
import { isCalendarDateTime } from '../../core/shared/entities/calendar.js';

/**
 * Shared io-ts codecs for the HTTP edge. Each carries its JSON Schema and validation message, so
 * the OpenAPI document and the 422 details come from the same definitions that validate.
 */

const refineString = (name: string, ok: (s: string) => boolean, schema: object, message: string) =>
  documented(
    new t.Type<string, string, unknown>(
      name,
      (u): u is string => typeof u === 'string' && ok(u),
      (u, c) => (typeof u === 'string' && ok(u) ? t.success(u) : t.failure(u, c)),
      t.identity,
    ),
    { schema: { type: 'string', ...schema }, message },
  );

export const Uuid = refineString('Uuid', isUuid, { format: 'uuid' }, 'must be a UUID');

// Pragmatic email check: one @, no spaces, a dot in the domain; the mailbox itself is what proves it.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const Email = refineString('Email', (s) => s.length <= 254 && EMAIL.test(s), { format: 'email', maxLength: 254 }, 'must be an email address');

export const boundedString = (min: number, max: number, name = `String(${min}..${max})`) =>
  refineString(name, (s) => s.length >= min && s.length <= max, { minLength: min, maxLength: max }, `must be ${min} to ${max} characters`);

/** RFC 3339 date-time with a zone, decoded to a Date. */
export const DateTime = documented(
  new t.Type<Date, string, unknown>(
    'DateTime',
    (u): u is Date => u instanceof Date,
    (u, c) => {
      if (typeof u !== 'string' || !isCalendarDateTime(u)) return t.failure(u, c);
      return t.success(new Date(u));
    },
    (d) => d.toISOString(),
  ),
  { schema: { type: 'string', format: 'date-time' }, message: 'must be an RFC 3339 date-time with a time zone' },
);

/** An integer within [min, max] from a query-string value. */
export const intFromString = (min: number, max: number, name = `Integer(${min}..${max})`) =>
  documented(
    new t.Type<number, string, unknown>(
      name,
      (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
      (u, c) => {
        const n = typeof u === 'string' && /^-?\d{1,15}$/.test(u) ? Number(u) : typeof u === 'number' ? u : NaN;
        return Number.isInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c);
      },
      String,
    ),
    { schema: { type: 'integer', minimum: min, maximum: max }, message: `must be an integer from ${min} to ${max}` },
  );

/** `true` or `false` in a query string. */
const booleanFromString = (description?: string) =>
  documented(
    new t.Type<boolean, string, unknown>(
      'BooleanFromString',
      (u): u is boolean => typeof u === 'boolean',
      (u, c) => (u === 'true' || u === true ? t.success(true) : u === 'false' || u === false ? t.success(false) : t.failure(u, c)),
      String,
    ),
    { schema: { type: 'boolean', ...(description ? { description } : {}) }, message: 'must be true or false' },
  );
export const BooleanFromString = booleanFromString();

/** One of a fixed set of strings. */
export const oneOf = <const V extends readonly [string, ...string[]]>(values: V, name = values.join('|')) =>
  documented(t.keyof(Object.fromEntries(values.map((v) => [v, null])) as { [K in V[number]]: null }, name), {
    schema: { type: 'string', enum: [...values] },
    message: `must be one of: ${values.join(', ')}`,
  });

/** `sort=field` or `sort=-field` from an allow-list, decoded to a Sort. */
export const sortParam = <F extends string>(fields: readonly F[]) =>
  documented(
    new t.Type<Sort<F>, string, unknown>(
      'Sort',
      (u): u is Sort<F> => typeof u === 'object' && u !== null && 'field' in u,
      (u, c) => {
        if (typeof u !== 'string') return t.failure(u, c);
        const desc = u.startsWith('-');
        const field = (desc ? u.slice(1) : u) as F;
        return fields.includes(field) ? t.success({ field, direction: desc ? 'desc' : 'asc' }) : t.failure(u, c);
      },
      (s) => `${s.direction === 'desc' ? '-' : ''}${s.field}`,
    ),
    {
      schema: { type: 'string', enum: fields.flatMap((f) => [f, `-${f}`]) },
      message: `must be one of: ${fields.flatMap((f) => [f, `-${f}`]).join(', ')}`,
    },
  );

// Page mode refuses a page reaching past row 10,000 (core/shared/pagination.ts, MAX_OFFSET_ROWS):
// the use case says so naming `cursor`; this bound only keeps the number sane.
export const Page = intFromString(1, 1_000_000, 'Page');
export const Size = intFromString(1, 100, 'Size');
// The bound only stops abuse: it must pass every cursor the server issues, and one carries a sort
// value (a 255-character name, a 254-character email) that may be non-ASCII or JSON-escaped, then
// base64url: up to about 2,100 characters.
export const Cursor = refineString('Cursor', (s) => s.length > 0 && s.length <= 4096, { description: 'opaque cursor from meta.next_cursor', maxLength: 4096 }, 'must be a cursor from meta.next_cursor');

/** The pagination query every list accepts. */
export const pageQueryProps = { page: Page, size: Size };
/** Lists that grow large also page by cursor; `with_total` asks a cursor page to count every match. */
export const cursorQueryProps = {
  ...pageQueryProps,
  cursor: Cursor,
  with_total: booleanFromString('with a cursor, also count every match into meta.total and meta.pages (null otherwise); page mode always counts'),
};

/**
 * An object codec that refuses unknown keys (no mass assignment): `required` and `optional`
 * props, and every other key is a 422 naming it. Decodes to the known keys only.
 */
export const strictObject = <R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) => {
  const inner = t.intersection([t.type(required), t.partial(optional)]);
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  const codec = new t.Type<t.TypeOf<typeof inner>, t.OutputOf<typeof inner>, unknown>(
    name,
    inner.is,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'must be a JSON object');
      const unknownKeys = Object.keys(u).filter((k) => !known.has(k));
      if (unknownKeys.length > 0) {
        return E.left(
          unknownKeys.map((k) => ({
            value: (u as Record<string, unknown>)[k],
            context: [...c, { key: k, type: t.never, actual: (u as Record<string, unknown>)[k] }],
            message: 'unknown field',
          })),
        );
      }
      const decoded = inner.validate(u, [...c, { key: '', type: inner, actual: u }]);
      if (E.isLeft(decoded)) return decoded;
      const out: Record<string, unknown> = {};
      for (const k of known) if (k in decoded.right) out[k] = (decoded.right as Record<string, unknown>)[k];
      return t.success(out as t.TypeOf<typeof inner>);
    },
    inner.encode,
  );
  return documented(codec, { object: { required, optional } });
};

/** `T | null` that documents as nullable. */
export const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);
