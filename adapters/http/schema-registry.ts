import type * as t from 'io-ts';

/** JSON Schema fragment (OpenAPI 3.1 uses JSON Schema 2020-12). */
export type JsonSchema = { readonly [key: string]: unknown };

export interface CodecDoc {
  /** Replaces the schema derived from the codec's structure. */
  readonly schema?: JsonSchema;
  /** The validation message for a value this codec refuses (default: "invalid value"). */
  readonly message?: string;
  /** A closed object (strictObject): its props become the schema, with no additional properties. */
  readonly object?: { readonly required: t.Props; readonly optional: t.Props };
  /** Merged onto the schema derived from the codec (or from `object`): a rule the structure cannot show, e.g. `oneOf`. */
  readonly extra?: JsonSchema;
}

const docs = new WeakMap<t.Mixed, CodecDoc>();

/** Attaches documentation and a validation message to a codec; returns the same codec. */
export const documented = <C extends t.Mixed>(codec: C, doc: CodecDoc): C => {
  const before = docs.get(codec);
  docs.set(codec, { ...before, ...doc, ...(before?.extra && doc.extra ? { extra: { ...before.extra, ...doc.extra } } : {}) });
  return codec;
};

/**
 * The same codec (a copy: shared codecs such as `t.string` keep their own documentation) with a
 * realistic example, which the OpenAPI document shows and builds its request and response
 * examples from.
 */
export const withExample = <C extends t.Mixed>(codec: C, example: unknown): C => {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(codec) as object) as object, codec) as C;
  const doc = docs.get(codec);
  docs.set(copy, { ...doc, extra: { ...doc?.extra, examples: [example] } });
  return copy;
};

export const docOf = (codec: t.Mixed): CodecDoc | undefined => docs.get(codec);
