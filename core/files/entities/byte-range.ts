import type { ByteRange } from '../ports/object-storage.js';

/** A single range as a client asks for it (`bytes=500-`, `bytes=500-999`, `bytes=-500`). */
export type RangeRequest =
  | { readonly _tag: 'FromTo'; readonly start: number; readonly end: number | null }
  | { readonly _tag: 'Suffix'; readonly length: number };

/** The bytes to serve out of `size`, clamped to the end; null when none can be (416). */
export const resolveRange = (request: RangeRequest, size: number): ByteRange | null => {
  if (size === 0) return null;
  if (request._tag === 'Suffix') {
    if (request.length <= 0) return null;
    return { start: Math.max(0, size - request.length), end: size - 1 };
  }
  if (request.start >= size) return null;
  if (request.end !== null && request.end < request.start) return null;
  return { start: request.start, end: Math.min(request.end ?? size - 1, size - 1) };
};
