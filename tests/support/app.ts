import type { Express } from 'express';
import type { Container } from 'inversify';
import { bootstrap, type Runtime } from '../../composition/bootstrap.js';
import { buildHttpApp } from '../../composition/http.js';
import { TOKENS } from '../../composition/tokens.js';
import type { Clock } from '../../core/shared/ports/clock.js';

export interface TestApp {
  readonly app: Express;
  readonly container: Container;
  readonly runtime: Runtime;
  close(): Promise<void>;
}

/**
 * The composed application on the memory profile: the one place tests swap in memory adapters.
 * `env` overrides configuration as a deployment would (e.g. FILES_MAX_BYTES). Argon2 runs for real
 * at a low cost so suites stay fast. `clock` (e.g. a ManualClock) replaces the system clock, so
 * tests move time instead of sleeping.
 */
export const buildTestApp = async (
  env: Readonly<Record<string, string>> = {},
  options: { readonly migrate?: boolean; readonly clock?: Clock; readonly logSink?: NodeJS.WritableStream } = {},
): Promise<TestApp> => {
  const runtime = await bootstrap(
    {
      PROFILE: 'memory',
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      ...env,
    },
    // The embedded and services profiles (env overrides) need their schema; memory has none.
    { migrate: options.migrate ?? false, ...(options.logSink ? { logSink: options.logSink } : {}) },
  );
  // Before anything resolves the clock: every service built from here on reads this one.
  if (options.clock) runtime.container.rebind(TOKENS.Clock).toConstantValue(options.clock);
  return {
    app: buildHttpApp(runtime.container),
    container: runtime.container,
    runtime,
    close: () => runtime.infra.close(),
  };
};
