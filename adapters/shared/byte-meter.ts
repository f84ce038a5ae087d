import { createHash } from 'node:crypto';

/**
 * Counts and hashes bytes as they pass, and stops the flow at the first chunk that crosses the
 * cap, so every ObjectStorage adapter enforces the limit and computes the checksum the same way
 * without ever holding the whole body.
 */
export class ByteMeter {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private crossed = false;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.bytes;
  }

  get exceeded(): boolean {
    return this.crossed;
  }

  /** Ends early (closing the source) once the cap is crossed; check `exceeded` afterwards. */
  async *pass(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      this.bytes += chunk.byteLength;
      if (this.bytes > this.maxBytes) {
        this.crossed = true;
        return;
      }
      this.hash.update(chunk);
      yield chunk;
    }
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}
