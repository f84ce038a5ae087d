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
  docs.set(codec, { ...docs.get(codec), ...doc });
  return codec;
};

export const docOf = (codec: t.Mixed): CodecDoc | undefined => docs.get(codec);
