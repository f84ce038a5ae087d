export interface AccessClaims {
  /** User id. */
  readonly sub: string;
  /** Session (refresh family) id. */
  readonly sid: string;
  readonly jti: string;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** Short-lived signed access tokens. Verification returns null for anything not valid now. */
export interface AccessTokens {
  issue(claims: { readonly sub: string; readonly sid: string }): Promise<IssuedAccessToken>;
  verify(token: string): Promise<AccessClaims | null>;
}
