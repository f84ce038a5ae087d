import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { validation, type DomainError, type FieldIssue } from '../../core/shared/errors.js';
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

/** Decodes one part of a request; failures become a Validation error with field paths. */
export const decodeInput = <A>(codec: t.Decoder<unknown, A>, value: unknown, location: InputLocation): E.Either<DomainError, A> => {
  const result = codec.decode(value);
  return E.isRight(result) ? E.right(result.right) : E.left(validation(fieldIssues(result.left, location)));
};
