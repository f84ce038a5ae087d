import { fileTypeFromBuffer } from 'file-type';
import type { ContentTypeDetector } from '../../core/files/ports/content-type-detector.js';

const OCTET_STREAM = 'application/octet-stream';
/** Declared types that plain text may carry; any other claim on text falls back to text/plain. */
const TEXTUAL = /^(text\/[a-z0-9.+-]+|application\/(json|[a-z0-9.+-]+\+json|xml|[a-z0-9.+-]+\+xml))$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 (the head may stop inside a character) without NULs or control bytes other than whitespace and ESC. */
const looksLikeText = (head: Uint8Array): boolean => {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return false;
    if (byte === 0x7f) return false;
  }
  for (let cut = 0; cut <= Math.min(3, head.byteLength); cut++) {
    try {
      utf8.decode(head.subarray(0, head.byteLength - cut));
      return true;
    } catch {
      // A multi-byte character split by the head's end: retry without its leading bytes.
    }
  }
  return false;
};

/** Magic numbers via `file-type`; text, which has none, via a UTF-8 check. */
export class FileTypeContentTypeDetector implements ContentTypeDetector {
  async detect(head: Uint8Array, declared: string | null): Promise<string> {
    const found = await fileTypeFromBuffer(head);
    if (found) return found.mime;
    if (!looksLikeText(head)) return OCTET_STREAM;
    return declared !== null && TEXTUAL.test(declared) ? declared : 'text/plain';
  }
}
