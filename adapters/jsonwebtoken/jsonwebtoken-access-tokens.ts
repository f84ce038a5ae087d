import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessClaims, AccessTokens, IssuedAccessToken } from '../../core/identity/ports/access-tokens.js';
import type { Clock } from '../../core/shared/ports/clock.js';

export interface JwtSettings {
  /** HS256 key: at least 32 bytes. */
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  /** Skew allowed between servers' clocks when checking `exp`, `nbf` and `iat`. */
  readonly clockToleranceSeconds: number;
}

/**
 * HS256 JWTs. The secret is a KeyObject, not a string: jsonwebtoken re-imports string secrets on
 * every call, which makes verification tens of times slower. Verification pins the algorithm
 * (no `alg: none`, no RS/HS confusion), issuer and audience, and demands `exp` and `typ`.
 */
export class JsonwebtokenAccessTokens implements AccessTokens {
  private readonly key: KeyObject;

  constructor(
    private readonly settings: JwtSettings,
    private readonly clock: Clock,
  ) {
    if (settings.secret.length < 32) throw new Error('The JWT secret must be at least 32 bytes');
    this.key = createSecretKey(Buffer.from(settings.secret));
  }

  async issue(claims: { readonly sub: string; readonly sid: string }): Promise<IssuedAccessToken> {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const exp = iat + this.settings.ttlSeconds;
    const payload = { sub: claims.sub, sid: claims.sid, jti: randomUUID(), typ: 'access', iat, exp };
    const token = jwt.sign(payload, this.key, {
      algorithm: 'HS256',
      issuer: this.settings.issuer,
      audience: this.settings.audience,
    });
    return { token, expiresIn: this.settings.ttlSeconds };
  }

  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const payload = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockToleranceSeconds,
        clockTimestamp: Math.floor(this.clock.now().getTime() / 1000),
      });
      if (typeof payload !== 'object' || typeof payload.exp !== 'number' || payload['typ'] !== 'access') return null;
      const { sub, sid, jti } = payload as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') return null;
      return { sub, sid, jti };
    } catch {
      return null;
    }
  }
}
