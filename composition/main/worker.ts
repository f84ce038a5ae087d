import * as E from 'fp-ts/lib/Either.js';
import { bootstrap, loadEnv } from '../bootstrap.js';
import { ConfigError, decodeConfig } from '../config.js';
import { startEventPipeline } from '../events.js';
import { startJobRunner } from '../jobs.js';

/**
 * `npm run worker`: runs the outbox relay, the event handlers and the background jobs away from the API, for the
 * services profile (several workers may run against one Postgres and Redis). It does not migrate:
 * `npm run migrate` (or an API in development) does. The embedded profile needs no worker: its API
 * process runs the handlers, and the embedded database belongs to that one process.
 */
const main = async (): Promise<void> => {
  const env = loadEnv();
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  if (decoded.right.adapters.database !== 'postgres') {
    throw new ConfigError([
      'the worker needs a shared database (DATABASE_URL): on the embedded profile the API process runs the event handlers itself',
    ]);
  }
  const { config, logger, infra, container } = await bootstrap(env, { migrate: false });
  const log = logger.child('worker');
  const events = await startEventPipeline(container, 'worker');
  const jobs = startJobRunner(container, 'worker');
  log.info(`worker started (events transport ${config.events.transport}, concurrency ${config.events.workerConcurrency})`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping; active events finish first (at most ${config.shutdownTimeoutMs} ms)`);
    const timer = setTimeout(() => {
      log.warn('shutdown timeout: leaving the active events to another worker (their leases and locks expire)');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    // A job cut off by the timeout is taken again by another runner once its lease runs out.
    await jobs?.stop();
    await events?.stop();
    await infra.close();
    clearTimeout(timer);
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
};

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('Portside worker failed to start:', error);
  process.exit(1);
});
