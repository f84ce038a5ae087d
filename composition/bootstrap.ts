import { existsSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import dotenv from 'dotenv';
import type { Container } from 'inversify';
import type { Logger } from '../core/shared/ports/logger.js';
import { createWinstonLogger } from '../adapters/winston/winston-logger.js';
import { decodeConfig, type Config } from './config.js';
import { buildContainer } from './container.js';
import { startInfrastructure, type Infrastructure } from './infrastructure.js';
import { currentRequestId } from './request-context.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly infra: Infrastructure;
  readonly container: Container;
}

/** Reads `.env` (when present) under the real environment, which wins. */
export const loadEnv = (): Readonly<Record<string, string | undefined>> => {
  if (existsSync('.env')) dotenv.config({ path: '.env', quiet: true });
  return process.env;
};

/** `sink`: JSON lines go to this stream instead of the console (tests read what the logs say). */
export const createLogger = (config: Config, sink?: NodeJS.WritableStream): Logger =>
  createWinstonLogger({ level: config.log.level, format: config.log.format, dir: config.log.dir, currentRequestId, sink });

/** Config, logger, infrastructure and container: what every entry point starts from. */
export const bootstrap = async (
  env: Readonly<Record<string, string | undefined>>,
  options: {
    migrate: boolean;
    /** Narrows the decoded configuration (the CLI drops the services a command does not use). */
    narrow?: (config: Config) => Config;
    /** JSON log lines go here instead of the console (tests read what the logs say). */
    logSink?: NodeJS.WritableStream;
  },
): Promise<Runtime> => {
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  const config = options.narrow ? options.narrow(decoded.right) : decoded.right;
  const logger = createLogger(config, options.logSink);
  const infra = await startInfrastructure(config, logger, options);
  try {
    const container = await buildContainer(config, infra, logger);
    return { config, logger, infra, container };
  } catch (error) {
    await infra.close();
    throw error;
  }
};
