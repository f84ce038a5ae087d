/** Works out what a file really is from its first bytes, whatever the client claims. */
export interface ContentTypeDetector {
  /**
   * The media type the bytes show (`application/octet-stream` when nothing is recognised).
   * `declared` only refines content without a signature: text that the client calls
   * `text/csv` or `application/json` is reported as such, any other text as `text/plain`.
   */
  detect(head: Uint8Array, declared: string | null): Promise<string>;
}

/** How many leading bytes a detector is given. */
export const SNIFF_BYTES = 4100;
