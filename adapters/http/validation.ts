import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { validation, type DomainError, type FieldIssue } from '../../core/shared/entities/errors.js';
import { docOf } from './schema-registry.js';

const COMPOSITE = new Set(['UnionType', 'IntersectionType', 'RefinementType', 'ExactType', 'ReadonlyType']);

/** `body.schedules.0.starts_at`-style path: the keys of the context, minus union/intersection branch indexes. */
const pathOf = (context: t.Context): string => {
  const keys: string[] = [];
  context.forEach((entry, i) => {
    if (i === 0 || entry.key === '') return;
    const parent = context[i - 1]?.type as { _tag?: string } | undefined;
    if (parent?._tag && COMPOSITE.has(parent._tag)) return;
    keys.push(entry.key);
  });
  return keys.join('.');
};

const messageOf = (error: t.ValidationError): string => {
  if (error.message) return error.message;
  if (error.value === undefined) return 'is required';
  const leaf = error.context[error.context.length - 1]?.type as t.Mixed | undefined;
  const doc = leaf ? docOf(leaf) : undefined;
  if (doc?.message) return doc.message;
  if (leaf) {
    const name = leaf.name;
    if (name === 'string') return 'must be a string';
    if (name === 'number') return 'must be a number';
    if (name === 'boolean') return 'must be a boolean';
    if (name === 'null') return 'must be null';
  }
  return 'is invalid';
};

/** Turns io-ts errors into field issues, one per field (the first message wins). */
export const fieldIssues = (errors: t.Errors, prefix: string): FieldIssue[] => {
  const seen = new Map<string, string>();
  for (const error of errors) {
    const path = pathOf(error.context);
    // Field paths are relative to the part decoded (`email`, `schedules.0.starts_at`); the whole part is named by its location.
    const field = path || prefix;
    if (!seen.has(field)) seen.set(field, messageOf(error));
  }
  return [...seen].map(([field, message]) => ({ field, message }));
};

export type InputLocation = 'body' | 'query' | 'path' | 'header';

// Without the `u` flag the pattern sees UTF-16 code units: a high half not followed by a low one, or a low one alone.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How many arrays and objects a request body may nest, the body itself counting as one. */
export const MAX_INPUT_DEPTH = 32;
/** Enough to fix a request by; a body full of bad strings does not get a 64 KiB answer. */
const MAX_INPUT_ISSUES = 20;

/**
 * Why a string cannot be stored, or null: NUL (Postgres text and JSONB refuse it, and some drivers
 * store it as the two characters `\0`), or an unpaired UTF-16 surrogate (not Unicode at all, so
 * it has no UTF-8 form; JSON lets `\ud800` through).
 */
export const textProblem = (s: string): string | null =>
  s.includes('\u0000') ? 'must not contain NUL characters (U+0000)' : LONE_SURROGATE.test(s) ? 'must not contain unpaired surrogates (it is not valid Unicode)' : null;

/**
 * What no field of any request may hold, whatever its codec: NUL or unpaired surrogates in any
 * string or key, and nesting deeper than MAX_INPUT_DEPTH. Walks the value with its own stack, so a
 * body nested 10,000 deep is refused, not a stack overflow; the walk never goes below the limit.
 */
export const unsafeInput = (value: unknown, location: InputLocation): FieldIssue[] => {
  const issues = new Map<string, string>();
  const note = (path: readonly string[], message: string) => {
    const field = path.length === 0 ? location : path.join('.');
    if (!issues.has(field)) issues.set(field, message);
  };
  const stack: [unknown, readonly string[], number][] = [[value, [], 0]];
  while (stack.length > 0 && issues.size < MAX_INPUT_ISSUES) {
    const [current, path, depth] = stack.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem !== null) note(path, problem);
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      note(path, `nests more than ${MAX_INPUT_DEPTH} levels of arrays and objects`);
      continue;
    }
    const entries = Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const problem = textProblem(key);
      if (problem !== null) note(path, `has a key that ${problem}`);
      else stack.push([child, [...path, key], depth + 1]);
    }
  }
  return [...issues].map(([field, message]) => ({ field, message }));
};

/** Decodes one part of a request; failures become a Validation error with field paths. */
export const decodeInput = <A>(codec: t.Decoder<unknown, A>, value: unknown, location: InputLocation): E.Either<DomainError, A> => {
  // Checked before any codec sees the value: no route can forget it, and no codec recurses into a hostile depth.
  const unsafe = unsafeInput(value, location);
  if (unsafe.length > 0) return E.left(validation(unsafe));
  const result = codec.decode(value);
  return E.isRight(result) ? E.right(result.right) : E.left(validation(fieldIssues(result.left, location)));
};
