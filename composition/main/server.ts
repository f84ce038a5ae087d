import type { Server } from 'node:http';
import { bootstrap, loadEnv } from '../bootstrap.js';
import * as E from 'fp-ts/lib/Either.js';
import { decodeConfig } from '../config.js';
import { buildHttpApp } from '../http.js';
import { scheduleMaintenance } from '../maintenance.js';
import { startEventPipeline } from '../events.js';
import { TOKENS } from '../tokens.js';
import { closeNotificationStreams } from '../modules/notifications.js';
import { StartupError, startupFailureMessage } from '../startup-error.js';
import { wiringLine } from '../wiring.js';

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
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error: unknown) => {
    await infra.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const what = code === 'EADDRINUSE' ? 'is in use by another process' : code === 'EACCES' ? 'needs privileges this process lacks' : 'is not an address of this machine';
      throw new StartupError('PORT', `${config.http.host}:${config.http.port} ${what} (${code})`, 'stop the other process or choose another PORT (or HOST)', { cause: error });
    }
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  log.info(`Portside listening on http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${port} (docs at /api/docs); ${wiringLine(config)}`);

  const stopMaintenance = scheduleMaintenance(infra.maintenance, container.get(TOKENS.Clock), logger);
  // The outbox relay (and, on the in-process transport, the event handlers) unless left to workers.
  const events = await startEventPipeline(container, 'api');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping; in-flight requests get ${config.shutdownTimeoutMs} ms`);
    // Stop accepting, let in-flight requests finish, then cut what is left.
    // Live streams never finish on their own: end them first (clients resume elsewhere with Last-Event-ID).
    closeNotificationStreams(container);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    await closed;
    clearTimeout(timer);
    await events?.stop();
    await stopMaintenance();
    await infra.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
};

main().catch((error: unknown) => {
  // A known refusal (configuration, database, schema, ...) is one line naming the setting and the fix.
  console.error(startupFailureMessage(error));
  process.exit(1);
});
