import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';

/**
 * The JWT key: JWT_SECRET when set (required in production); otherwise a random key generated
 * once and kept under DATA_DIR, so development sessions survive restarts. The memory profile
 * keeps nothing on disk and gets a fresh key per process.
 */
export const resolveJwtSecret = (config: Config): string => {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  if (config.env === 'production') throw new Error('JWT_SECRET must be set in production');
  if (config.profile === 'memory') return randomBytes(48).toString('base64url');
  const path = join(config.dataDir, 'jwt-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(path, secret, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return secret;
};
