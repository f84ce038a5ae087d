/** The first bytes of a stream for sniffing, plus the whole stream (those bytes included) to store. */
export interface PeekedBody {
  readonly head: Uint8Array;
  readonly body: AsyncIterable<Uint8Array>;
  /** Closes the source when the body will not be read after all. */
  close(): Promise<void>;
}

export const readHead = async (source: AsyncIterable<Uint8Array>, bytes: number): Promise<PeekedBody> => {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.byteLength;
  }
  const close = async (): Promise<void> => {
    if (!ended) await iterator.return?.();
  };
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      yield* chunks;
      while (!ended) {
        const next = await iterator.next();
        if (next.done === true) ended = true;
        else yield next.value;
      }
    } finally {
      // Reached when the consumer stops early (size cap): the source must not be left paused.
      await close();
    }
  }
  return { head: concat(chunks, Math.min(length, bytes)), body: body(), close };
};

const concat = (chunks: readonly Uint8Array[], length: number): Uint8Array => {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= length) break;
    const part = chunk.subarray(0, length - offset);
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
};
