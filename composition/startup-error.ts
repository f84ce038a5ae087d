import { ConfigError } from './config.js';
import { EmbeddedDatabaseInUseError } from '../adapters/postgres/embedded-server.js';
import { RedisUnreachableError } from '../adapters/redis/redis-unreachable-error.js';

/**
 * A refusal to start that the operator fixes: one line naming the setting and the fix, in the
 * style of the configuration errors. The entry points (server.ts, cli.ts) print its message alone,
 * without a stack trace; anything else that stops start-up is a bug and is printed in full.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    /** The setting (environment variable) to look at, e.g. `DATABASE_URL`. */
    readonly setting: string,
    /** What is wrong, e.g. `database "portside" does not exist on db:5432`. */
    readonly problem: string,
    /** What to do about it, e.g. `create it or correct the name`. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${problem}; ${fix}`, options);
  }
}

/** A refusal the operator fixes (its message names the setting and the fix), not a bug. */
export const isKnownRefusal = (error: unknown): error is Error =>
  error instanceof StartupError || error instanceof ConfigError || error instanceof EmbeddedDatabaseInUseError || error instanceof RedisUnreachableError;

/** The text an entry point prints when start-up fails: the message alone for a known refusal. */
export const startupFailureMessage = (error: unknown, what = 'Portside failed to start'): string => {
  if (isKnownRefusal(error)) return error.message;
  return `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
};

/** `host:port/name` of a database URL: what a log line may say about it (never the credentials). */
export const describeDatabaseUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ':5432'}/${decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default)'}`;
  } catch {
    return '(unparsable URL)';
  }
};

const codeOf = (error: unknown): string | undefined => {
  for (let e = error as { code?: unknown; parent?: unknown; original?: unknown; cause?: unknown } | null, i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string') return e.code;
    const p = e.parent ?? e.original;
    if (p && typeof (p as { code?: unknown }).code === 'string') return (p as { code: string }).code;
    e = (e.cause ?? p) as typeof e;
  }
  return undefined;
};

const messageOf = (error: unknown): string => {
  for (let e = error as { message?: unknown; cause?: unknown } | null, i = 0; e && i < 5; i++, e = e.cause as typeof e) {
    if (!e.cause && typeof e.message === 'string') return e.message;
  }
  return error instanceof Error ? error.message : String(error);
};

/**
 * Turns a failure to reach the configured PostgreSQL server into a one-line StartupError, or
 * returns the error unchanged when it is not one of the known causes.
 */
export const databaseStartupError = (error: unknown, url: string): unknown => {
  const where = describeDatabaseUrl(url);
  const [hostPort, name] = [where.slice(0, where.indexOf('/')), where.slice(where.indexOf('/') + 1)];
  const code = codeOf(error);
  switch (code) {
    case '3D000':
      return new StartupError('DATABASE_URL', `database "${name}" does not exist on ${hostPort}`, `create it (createdb -h ${hostPort.split(':')[0]} ${name}) or correct the database name in DATABASE_URL`, { cause: error });
    case '28000':
    case '28P01':
      return new StartupError('DATABASE_URL', `${hostPort} refused the credentials (${messageOf(error)})`, 'correct the user and password in DATABASE_URL', { cause: error });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return new StartupError('DATABASE_URL', `cannot reach PostgreSQL at ${hostPort} (${code})`, 'start the server or correct the host and port in DATABASE_URL', { cause: error });
    default:
      if (/timeout|timed out/i.test(messageOf(error))) {
        return new StartupError('DATABASE_URL', `PostgreSQL at ${hostPort} did not answer in time`, 'check that the host and port in DATABASE_URL are reachable from here', { cause: error });
      }
      return error;
  }
};

/** A data directory the process cannot write (embedded database, local files): one line naming DATA_DIR. */
export const dataDirStartupError = (error: unknown, dir: string): unknown => {
  const code = codeOf(error);
  switch (code) {
    case 'ENOTDIR':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StartupError('DATA_DIR', `cannot write ${dir} (${code})`, 'point DATA_DIR at a directory this user can create and write, or fix its permissions', { cause: error });
    case 'ENOSPC':
      return new StartupError('DATA_DIR', `no space left for ${dir} (ENOSPC)`, 'free some space on that disk or point DATA_DIR at another one', { cause: error });
    default:
      return error;
  }
};
