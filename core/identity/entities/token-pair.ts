export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
}

export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}
