import type { Config } from './config.js';

/** What a CLI command uses beyond the database (composition/main/cli.ts). */
export interface CommandNeeds {
  /** The object store is opened only for the commands that use it. */
  readonly usesObjectStorage?: boolean;
  /** The session store (Redis when configured) is opened only for the commands that use it. */
  readonly usesSessions?: boolean;
}

/**
 * The configuration a command runs with: what it does not use is not opened. No command uses
 * rate limits; a command that does not use sessions or objects gets the database or in-process
 * adapters for those ports for its run (nothing reaches them), so an unreachable Redis or object
 * store cannot stall it.
 */
export const narrowForCommand = (config: Config, command: CommandNeeds): Config => {
  const sessions = command.usesSessions || config.adapters.sessions !== 'redis' ? config.adapters.sessions : config.adapters.database === 'memory' ? 'memory' : 'postgres';
  return {
    ...config,
    redisUrl: sessions === 'redis' ? config.redisUrl : undefined,
    adapters: { ...config.adapters, sessions, rateLimits: 'memory', objects: command.usesObjectStorage ? config.adapters.objects : 'memory' },
  };
};
