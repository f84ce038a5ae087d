import { readFileSync } from 'node:fs';
import type { Container } from 'inversify';
import { RedisStore } from 'rate-limit-redis';
import { createApp } from '../adapters/http/app.js';
import type { Drain } from '../adapters/http/drain.js';
import { FallbackRateLimitStore, StoreOutageLog } from '../adapters/http/fallback-rate-limit-store.js';
import { createMetrics } from '../adapters/http/metrics.js';
import type { Config } from './config.js';
import type { Infrastructure } from './infrastructure.js';
import { runWithRequestId } from './request-context.js';
import { TOKENS } from './tokens.js';

const startedAt = Date.now();

/** The version in package.json (npm_package_version is unset when node runs the server directly, as in the image). */
const VERSION = ((): string => {
  // From the sources (composition/) or a build (dist/composition/).
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const { name, version } = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (name === 'portside' && version) return version;
    } catch {
      // not there: try the next
    }
  }
  return 'unknown';
})();

/** The Express app of a built container: every module's routes behind the contract's middleware. */
export const buildHttpApp = (container: Container, options: { readonly drain?: Drain } = {}) => {
  const config = container.get<Config>(TOKENS.Config);
  const infra = container.get<Infrastructure>(TOKENS.Infrastructure);
  const redis = infra.redis;
  const redisOutage = new StoreOutageLog(container.get(TOKENS.Logger).child('rate-limit'), 'Redis');
  return createApp({
    name: 'Portside',
    version: VERSION,
    routes: container.getAll(TOKENS.Routes).flat(),
    authenticate: container.get(TOKENS.Authenticate),
    logger: container.get(TOKENS.Logger),
    runWithRequestId,
    corsOrigins: config.http.corsOrigins,
    jsonLimit: config.http.jsonLimitBytes,
    rateLimit: {
      perMinute: config.rateLimit.perMinute,
      authPerMinute: config.rateLimit.authPerMinute,
      ...(config.adapters.rateLimits === 'redis' && redis
        ? {
            // While Redis is unreachable each process limits on its own (logged once, and again on recovery).
            store: (prefix: string) =>
              new FallbackRateLimitStore(
                new RedisStore({ prefix: `portside:${prefix}`, sendCommand: (...args: string[]) => redis.sendCommand(args) }),
                redisOutage,
              ),
          }
        : {}),
    },
    readiness: infra.readiness,
    metrics: config.http.metrics ? { metrics: createMetrics(), token: config.http.metricsToken } : null,
    docs: config.http.docs,
    trustProxy: config.http.trustProxy,
    uptimeSeconds: () => (Date.now() - startedAt) / 1000,
    ...(options.drain ? { drain: options.drain } : {}),
  });
};
