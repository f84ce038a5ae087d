import type { Container } from 'inversify';
import type { Logger } from '../core/shared/ports/logger.js';
import type { Config } from './config.js';
import type { Infrastructure } from './infrastructure.js';

export interface ModuleContext {
  readonly container: Container;
  readonly config: Config;
  readonly infra: Infrastructure;
  readonly logger: Logger;
}

/**
 * Binds one module's ports, use cases and routes, choosing adapters from the config. In its own
 * file so that modules need not import container.ts, which imports them.
 */
export type ModuleBinder = (ctx: ModuleContext) => void | Promise<void>;
