import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { isUuid } from '../../core/shared/entities/entity-id.js';
import { MAX_OFFSET_ROWS, MAX_PAGE_SIZE, type Sort } from '../../core/shared/entities/pagination.js';
import type { FieldIssue } from '../../core/shared/entities/errors.js';
import { docOf, documented, withExample } from './schema-registry.js';
import { isCalendarDateTime } from '../../core/shared/entities/calendar.js';

/**
 * Shared io-ts codecs for the HTTP edge. Each carries its JSON Schema and validation message, so
 * the OpenAPI document and the 422 details come from the same definitions that validate.
 */

export const refineString = (name: string, ok: (s: string) => boolean, schema: object, message: string) =>
  documented(
    new t.Type<string, string, unknown>(
      name,
      (u): u is string => typeof u === 'string' && ok(u),
      (u, c) => (typeof u === 'string' && ok(u) ? t.success(u) : t.failure(u, c)),
      t.identity,
    ),
    { schema: { type: 'string', ...schema }, message },
  );

/**
 * A string held to a rule of the core (`issuesOf`, the same function every entry point runs), so
 * the 422 names the rule's own message; `schema` states that rule for the OpenAPI document and is
 * built from the core's own constants, never a copy of their values.
 */
export const ruledString = (name: string, issuesOf: (s: string) => readonly FieldIssue[], schema: object, message: string) =>
  documented(
    new t.Type<string, string, unknown>(
      name,
      (u): u is string => typeof u === 'string' && issuesOf(u).length === 0,
      (u, c) => {
        if (typeof u !== 'string') return t.failure(u, c);
        const issues = issuesOf(u);
        return issues.length === 0 ? t.success(u) : t.failure(u, c, issues[0]!.message);
      },
      t.identity,
    ),
    { schema: { type: 'string', ...schema }, message },
  );

/** The UUID the examples of the OpenAPI document use. */
export const EXAMPLE_UUID = '0192f1c2-7a3b-7c4d-8e5f-6a7b8c9d0e1f';
export const Uuid = refineString('Uuid', isUuid, { format: 'uuid', examples: [EXAMPLE_UUID] }, 'must be a UUID');

// Pragmatic email check: one @, no spaces, a dot in the domain; the mailbox itself is what proves it.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const Email = refineString('Email', (s) => s.length <= 254 && EMAIL.test(s), { format: 'email', maxLength: 254, examples: ['ada@example.com'] }, 'must be an email address');

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
  { schema: { type: 'string', format: 'date-time', examples: ['2030-03-04T09:00:00+01:00'] }, message: 'must be an RFC 3339 date-time with a time zone' },
);

/** A time the server writes (ISO 8601 in UTC, `Z`): for response views. */
export const Timestamp = refineString('Timestamp', isCalendarDateTime, { format: 'date-time', examples: ['2026-01-31T12:00:00.000Z'] }, 'must be an RFC 3339 date-time');

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
export const Page = documented(intFromString(1, 1_000_000, 'Page'), {
  extra: { description: `from 1; a page reaching past row ${MAX_OFFSET_ROWS} (page × size) is a 422: page deeper with \`cursor\`` },
});
export const Size = withExample(intFromString(1, MAX_PAGE_SIZE, 'Size'), 20);
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

/**
 * An object codec that also requires exactly one of two optional keys (login's `email` or
 * `username`). The refusal names the first key; the document says it with `oneOf`.
 */
export const exactlyOneOf = <C extends t.Mixed>(codec: C, keys: readonly [string, string], message: string): C =>
  documented(
    new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
      codec.name,
      codec.is,
      (u, c) => {
        const decoded = codec.validate(u, c);
        if (E.isLeft(decoded)) return decoded;
        const present = keys.filter((k) => (decoded.right as Record<string, unknown>)[k] !== undefined);
        if (present.length === 1) return decoded;
        return E.left([{ value: u, context: [...c, { key: keys[0], type: codec, actual: u }], message }]);
      },
      codec.encode,
    ) as unknown as C,
    { ...docOf(codec), extra: { oneOf: keys.map((k) => ({ required: [k] })), description: message.replace(/^send/, 'Send') } },
  );
