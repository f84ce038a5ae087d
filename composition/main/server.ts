import type { Server } from 'node:http';
import { bootstrap, loadEnv } from '../bootstrap.js';
import * as E from 'fp-ts/lib/Either.js';
import { decodeConfig } from '../config.js';
import { buildHttpApp } from '../http.js';
import { createDrain } from '../../adapters/http/drain.js';
import { RETRY_AFTER_SECONDS } from '../../adapters/http/app.js';
import { scheduleMaintenance } from '../maintenance.js';
import { startEventPipeline } from '../events.js';
import { startJobRunner } from '../jobs.js';
import { TOKENS } from '../tokens.js';
import { closeNotificationStreams } from '../modules/notifications.js';
import { StartupError, startupFailureMessage } from '../startup-error.js';
import { wiringLine } from '../wiring.js';

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
  // Background jobs (exports) unless left to workers; always on the embedded profile.
  const jobs = startJobRunner(container, 'api');

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
    // Live streams never finish on their own: end them first (clients resume elsewhere with Last-Event-ID).
    closeNotificationStreams(container);
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
    step = 'finishing running jobs';
    await jobs?.stop();
    step = 'stopping the event relay';
    await events?.stop();
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
  // A known refusal (configuration, database, schema, ...) is one line naming the setting and the fix.
  console.error(startupFailureMessage(error));
  process.exit(1);
});
