import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { JsonwebtokenAccessTokens } from '../../adapters/jsonwebtoken/jsonwebtoken-access-tokens.js';
import { median, ratio, table } from './measure.js';

/**
 * jsonwebtoken verify with the KeyObject the adapter holds versus the same secret as a plain
 * string (what most code passes), on the same token and with the adapter's options.
 */
const ROUNDS = 9;
/** Each sample verifies for about this long: the slow variant is ~40x slower, a fixed count would take ages. */
const SAMPLE_MS = 150;

const perSecond = (verify: () => void): number => {
  const start = performance.now();
  let done = 0;
  let elapsed = 0;
  while (elapsed < SAMPLE_MS) {
    for (let i = 0; i < 25; i += 1) verify();
    done += 25;
    elapsed = performance.now() - start;
  }
  return done / (elapsed / 1000);
};

export const jwtVerify = async (): Promise<void> => {
  console.log('# JWT: jsonwebtoken.verify with a KeyObject vs a string secret (HS256, same token)');
  const secret = randomBytes(48).toString('base64url');
  const now = new Date();
  const adapter = new JsonwebtokenAccessTokens(
    { secret: Buffer.from(secret, 'utf8'), issuer: 'portside', audience: 'portside-api', ttlSeconds: 900, clockToleranceSeconds: 5 },
    { now: () => now },
  );
  const { token } = await adapter.issue({ sub: 'user', sid: 'session' });
  const options = (): jwt.VerifyOptions & { complete?: false } => ({
    algorithms: ['HS256'],
    issuer: 'portside',
    audience: 'portside-api',
    clockTolerance: 5,
    clockTimestamp: Math.floor(now.getTime() / 1000),
  });
  const key: KeyObject = createSecretKey(Buffer.from(secret, 'utf8'));
  const check = (payload: unknown) => {
    if (typeof payload !== 'object' || payload === null || (payload as { sub?: unknown }).sub !== 'user') throw new Error('verify returned the wrong payload');
  };
  const variants = {
    'KeyObject': () => check(jwt.verify(token, key, options())),
    'string secret': () => check(jwt.verify(token, secret, options())),
    'Buffer secret': () => check(jwt.verify(token, Buffer.from(secret, 'utf8'), options())),
  };
  if ((await adapter.verify(token))?.sub !== 'user') throw new Error('the adapter does not verify its own token');

  const rates: Record<keyof typeof variants, number[]> = { 'KeyObject': [], 'string secret': [], 'Buffer secret': [] };
  for (let round = -2; round < ROUNDS; round += 1) {
    for (const [name, verify] of Object.entries(variants) as [keyof typeof variants, () => void][]) {
      const rate = perSecond(verify);
      if (round >= 0) rates[name].push(rate);
    }
  }
  const key_ = median(rates['KeyObject']);
  console.log(
    table([
      ['secret as', 'verifies/s', 'KeyObject speed-up'],
      ...(Object.keys(variants) as (keyof typeof variants)[]).map((name) => [
        name,
        Math.round(median(rates[name])).toLocaleString('en'),
        ratio(key_, median(rates[name])),
      ]),
    ]),
  );
  console.log(`  => KeyObject/string: ${ratio(key_, median(rates['string secret']))} the verifications per second (median of ${ROUNDS} samples of ${SAMPLE_MS} ms each)`);
};
