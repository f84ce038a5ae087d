import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Refresh tokens are opaque random strings; the store only ever sees their SHA-256.
 * A successor is derived, not drawn: HMAC(refreshKey, presented token). A client that retries a
 * refresh whose response it lost therefore gets the very same successor back within the grace
 * window, and the key keeps anyone holding an old token (from a log, say) from computing the
 * current one.
 */
export class RefreshTokenCrypto {
  constructor(private readonly refreshKey: Uint8Array) {
    if (refreshKey.length < 32) throw new Error('The refresh token key must be at least 32 bytes');
  }

  generate(): string {
    return randomBytes(32).toString('base64url');
  }

  successorOf(token: string): string {
    return createHmac('sha256', this.refreshKey).update(token, 'utf8').digest('base64url');
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
