import type { Server } from 'node:http';
import { bootstrap, loadEnv } from '../bootstrap.js';
import * as E from 'fp-ts/lib/Either.js';
import { ConfigError, decodeConfig } from '../config.js';
import { buildHttpApp } from '../http.js';
import { createDrain } from '../../adapters/http/drain.js';
import { RETRY_AFTER_SECONDS } from '../../adapters/http/app.js';
import { scheduleMaintenance } from '../maintenance.js';
import { TOKENS } from '../tokens.js';
import { EmbeddedDatabaseInUseError } from '../../adapters/postgres/embedded-server.js';
import { RedisUnreachableError } from '../../adapters/redis/redis-client.js';

/** After SHUTDOWN_TIMEOUT_MS has cut the requests, this long for closing the rest; then exit 1. */
const HARD_DEADLINE_GRACE_MS = 5_000;

/** What keeps the event loop alive, by kind (e.g. "2 TCPSocketWrap, 1 Timeout"). */
const openResources = (): string => {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'nothing';
};

/** `npm start`: the API server. It migrates at start as configured (config.migrateOnStart). */
const main = async (): Promise<void> => {
  const env = loadEnv();
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  const runtime = await bootstrap(env, { migrate: decoded.right.migrateOnStart });
  const { config, logger, infra, container } = runtime;
  const log = logger.child('server');
  const drain = createDrain(RETRY_AFTER_SECONDS);
  const app = buildHttpApp(container, { drain });
  const server: Server = app.listen(config.http.port, config.http.host);
  // Pinned rather than left to Node's defaults: an Idempotency-Key claim goes stale after 10
  // minutes, which is safe only while no request can still be arriving by then.
  server.requestTimeout = 300_000;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error: unknown) => {
    await infra.close();
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  log.info(`Portside listening on http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${port} (profile ${config.profile}; docs at /api/docs)`);

  const stopMaintenance = scheduleMaintenance(infra.maintenance, container.get(TOKENS.Clock), logger);

  let stopping = false;
  let step = 'draining HTTP requests';
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const deadlineMs = config.shutdownTimeoutMs + HARD_DEADLINE_GRACE_MS;
    // Whatever hangs (a stuck close, a handler that never returns), the process ends.
    setTimeout(() => {
      log.error(
        `shutdown did not finish within ${deadlineMs} ms; still open while ${step}: ` +
          `${drain.inFlight()} request(s), ${openResources()}; exiting`,
      );
      process.exit(1);
    }, deadlineMs).unref();
    log.info(`${signal}: stopping; in-flight requests get ${config.shutdownTimeoutMs} ms`);
    // Stop accepting; answer requests on kept-alive connections 503 and close those connections as
    // their responses end; let in-flight requests finish; at the timeout cut what is left (long
    // downloads, streams). Only then close the infrastructure the handlers use.
    drain.start();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cut = setTimeout(() => {
      log.warn(`shutdown timeout: cutting ${drain.inFlight()} request(s) still running`);
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    cut.unref();
    await Promise.all([closed, drain.idle()]);
    clearTimeout(cut);
    step = 'stopping housekeeping';
    await stopMaintenance();
    step = 'closing the infrastructure (Redis, database, embedded engine)';
    await infra.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
};

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof EmbeddedDatabaseInUseError || error instanceof RedisUnreachableError) {
    console.error(error.message);
  } else {
    console.error('Portside failed to start:', error);
  }
  process.exit(1);
});
