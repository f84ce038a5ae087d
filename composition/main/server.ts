import type { Server } from 'node:http';
import { bootstrap, loadEnv } from '../bootstrap.js';
import * as E from 'fp-ts/lib/Either.js';
import { ConfigError, decodeConfig } from '../config.js';
import { buildHttpApp } from '../http.js';
import { scheduleMaintenance } from '../maintenance.js';
import { TOKENS } from '../tokens.js';
import { EmbeddedDatabaseInUseError } from '../../adapters/postgres/embedded-server.js';
import { RedisUnreachableError } from '../../adapters/redis/redis-client.js';

/** `npm start`: the API server. It migrates at start as configured (config.migrateOnStart). */
const main = async (): Promise<void> => {
  const env = loadEnv();
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  const runtime = await bootstrap(env, { migrate: decoded.right.migrateOnStart });
  const { config, logger, infra, container } = runtime;
  const log = logger.child('server');
  const app = buildHttpApp(container);
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
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping; in-flight requests get ${config.shutdownTimeoutMs} ms`);
    // Stop accepting, let in-flight requests finish, then cut what is left.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    await closed;
    clearTimeout(timer);
    await stopMaintenance();
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
