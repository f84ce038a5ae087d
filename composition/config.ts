import { availableParallelism } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { DEFAULT_ALLOWED_TYPES } from '../core/files/entities/file-policy.js';

/**
 * Configuration comes from the environment (and an optional `.env`, loaded by the entry point).
 * Every variable is decoded by an io-ts codec; a bad value stops start-up with a message naming
 * the variable and the form it expects. Nothing is required for the embedded default.
 */

type Env = Readonly<Record<string, string | undefined>>;

interface Var<A> {
  readonly codec: t.Decoder<string, A>;
  readonly expected: string;
}

const v = <A>(expected: string, parse: (s: string) => A | undefined): Var<A> => ({
  expected,
  codec: new t.Type<A, string, string>(
    expected,
    (u): u is A => u !== undefined,
    (s, c) => {
      const a = parse(s.trim());
      return a === undefined ? t.failure(s, c) : t.success(a);
    },
    String,
  ),
});

const int = (min: number, max: number) =>
  v(`an integer from ${min} to ${max}`, (s) => (/^\d+$/.test(s) && Number(s) >= min && Number(s) <= max ? Number(s) : undefined));
const bool = v('true or false', (s) => (/^(true|1|yes)$/i.test(s) ? true : /^(false|0|no)$/i.test(s) ? false : undefined));
const str = (min = 1) => v(min === 1 ? 'a non-empty string' : `a string of at least ${min} characters`, (s) => (s.length >= min ? s : undefined));
const oneOf = <const K extends string>(...values: K[]) => v(`one of ${values.join(', ')}`, (s) => (values as string[]).includes(s) ? (s as K) : undefined);
const url = (...protocols: string[]) =>
  v(`a URL (${protocols.join(' or ')})`, (s) => {
    try {
      return protocols.includes(new URL(s).protocol.replace(':', '')) ? s : undefined;
    } catch {
      return undefined;
    }
  });
const list = v('a comma-separated list', (s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const secret = v('a string of at least 32 bytes', (s) => (Buffer.byteLength(s, 'utf8') >= 32 ? s : undefined));
const logLevel = oneOf('error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly');
const trustProxy = v('true, false, a hop count or a list of addresses', (s) =>
  /^(true|false)$/i.test(s) ? s.toLowerCase() === 'true' : /^\d+$/.test(s) ? Number(s) : s,
);

export { DEFAULT_ALLOWED_TYPES };

export type AdapterChoice = {
  readonly database: 'embedded' | 'postgres' | 'memory';
  readonly sessions: 'postgres' | 'redis' | 'memory';
  readonly objects: 'local-disk' | 'minio' | 'memory';
  readonly rateLimits: 'memory' | 'redis';
};

export interface Config {
  readonly env: 'production' | 'development' | 'test';
  readonly profile: 'embedded' | 'services' | 'memory';
  readonly adapters: AdapterChoice;
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly corsOrigins: readonly string[];
    readonly jsonLimitBytes: number;
    readonly trustProxy: boolean | number | string;
    readonly docs: boolean;
    readonly metrics: boolean;
    readonly metricsToken: string | undefined;
    /** Origin of absolute links the API hands out (file links); unset: taken from each request. */
    readonly publicBaseUrl: string | undefined;
  };
  readonly dataDir: string;
  /**
   * Where the migrated template of the embedded database is kept (EMBEDDED_TEMPLATE_DIR): unset,
   * the project's node_modules/.cache/portside; `off`, never used (every empty DATA_DIR runs initdb).
   */
  readonly embeddedTemplateDir: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** How long start-up waits for Redis before giving up with a message naming REDIS_URL. */
  readonly redisConnectTimeoutMs: number;
  readonly s3: {
    readonly endpoint: string;
    /** The endpoint browsers reach, used to presign links; unset: the endpoint itself. */
    readonly publicEndpoint: string | undefined;
    readonly accessKey: string;
    readonly secretKey: string;
    readonly bucket: string;
    readonly region: string;
    readonly useSsl: boolean;
    readonly pathStyle: boolean;
  } | undefined;
  readonly auth: {
    /** Unset outside production: generated and kept under DATA_DIR (see composition/secrets.ts). */
    readonly jwtSecret: string | undefined;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtl: number;
    readonly refreshTokenTtl: number;
    readonly refreshIdleTimeout: number;
    readonly refreshReuseGrace: number;
    readonly loginMaxFailures: number;
    readonly argon2: { readonly memoryKib: number; readonly iterations: number; readonly parallelism: number };
    /** Hashes and verifications at once, and how many may wait for one before a 503. */
    readonly passwordHashing: { readonly concurrency: number; readonly maxWaiting: number };
  };
  readonly files: {
    readonly maxBytes: number;
    readonly allowedTypes: readonly string[];
    readonly quotaBytes: number;
    readonly linkTtl: number;
  };
  readonly rateLimit: { readonly perMinute: number; readonly authPerMinute: number };
  readonly notifications: {
    /** Seconds between heartbeat comments on a notification stream. */
    readonly heartbeatSeconds: number;
    /** Notification streams one user may hold open at once, per API process. */
    readonly maxStreamsPerUser: number;
    /** Days a read notification is kept before housekeeping removes it; 0 keeps them all. Unread ones are always kept. */
    readonly readRetentionDays: number;
  };
  readonly audit: {
    /** Days an audit entry is kept (by when its event occurred) before housekeeping removes it; 0 keeps them all. */
    readonly retentionDays: number;
  };
  readonly log: { readonly level: string; readonly format: 'pretty' | 'json'; readonly dir: string | undefined };
  readonly shutdownTimeoutMs: number;
  /** Delivery of committed domain events (docs/events-and-jobs.md). */
  readonly events: {
    /** `bullmq`: the relay queues events in Redis and workers run the handlers; `in-process`: the relay runs them. */
    readonly transport: 'bullmq' | 'in-process';
    /** Whether the API process runs the outbox relay (and, with `in-process`, the handlers). */
    readonly relayInApi: boolean;
    readonly retentionHours: number;
    readonly maxAttempts: number;
    /** The relay's safety-net poll; LISTEN/NOTIFY and in-process commits wake it sooner. */
    readonly pollMs: number;
    readonly workerConcurrency: number;
    /** Redis key prefix of the BullMQ queues. */
    readonly queuePrefix: string;
  };
  /** The background job runner (docs/events-and-jobs.md). */
  readonly jobs: {
    /** Whether API processes run jobs (always on the embedded profile: no worker can share its database). */
    readonly runInApi: boolean;
    readonly maxAttempts: number;
    /** The runner's poll for jobs enqueued elsewhere and leases that ran out; an enqueue here wakes it at once. */
    readonly pollMs: number;
    /** Jobs one process runs at once. */
    readonly concurrency: number;
    /** How long a claim (renewed by each progress report) holds a job before another runner may take it. */
    readonly leaseMs: number;
  };
  /**
   * Apply pending migrations when the server starts: outside production, and always for the
   * embedded database (only the one process that holds it could migrate it).
   */
  readonly migrateOnStart: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Decodes the environment into a Config, or lists every bad variable. */
export const decodeConfig = (env: Env): E.Either<ConfigError, Config> => {
  const problems: string[] = [];
  const read = <A>(name: string, spec: Var<A>, fallback: A): A => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const decoded = spec.codec.decode(raw);
    if (E.isLeft(decoded)) {
      // Never echo a secret: not secret variables, and not URLs, which may carry credentials in
      // forms no pattern reliably finds (a password holding '@', a missing scheme, a query string).
      const shown = /SECRET|KEY|TOKEN|PASSWORD|_URL$|ENDPOINT/.test(name) ? '(value not shown)' : JSON.stringify(raw);
      problems.push(`${name} must be ${spec.expected}; got ${shown}`);
      return fallback;
    }
    return decoded.right;
  };
  const optional = <A>(name: string, spec: Var<A>): A | undefined => read<A | undefined>(name, spec as Var<A | undefined>, undefined);

  // Strict: a typo such as NODE_ENV=prod must not quietly drop production's hardening.
  const env_ = read('NODE_ENV', oneOf('production', 'development', 'test'), 'development');
  const production = env_ === 'production';

  const databaseUrl = optional('DATABASE_URL', url('postgres', 'postgresql'));
  const redisUrl = optional('REDIS_URL', url('redis', 'rediss'));
  const s3Endpoint = optional('S3_ENDPOINT', url('http', 'https'));
  const profile = read('PROFILE', oneOf('embedded', 'services', 'memory'), databaseUrl || redisUrl || s3Endpoint ? 'services' : 'embedded');

  const memory = profile === 'memory';
  const database = read('DATABASE', oneOf('embedded', 'postgres', 'memory'), memory ? 'memory' : databaseUrl ? 'postgres' : 'embedded');
  const sessions = read('SESSION_STORE', oneOf('postgres', 'redis', 'memory'), memory ? 'memory' : redisUrl ? 'redis' : database === 'memory' ? 'memory' : 'postgres');
  const objects = read('OBJECT_STORAGE', oneOf('local-disk', 'minio', 'memory'), memory ? 'memory' : s3Endpoint ? 'minio' : 'local-disk');
  const rateLimits = read('RATE_LIMIT_STORE', oneOf('memory', 'redis'), redisUrl && !memory ? 'redis' : 'memory');

  if (database === 'postgres' && !databaseUrl) problems.push('DATABASE=postgres needs DATABASE_URL');
  if ((sessions === 'redis' || rateLimits === 'redis') && !redisUrl) problems.push('SESSION_STORE=redis or RATE_LIMIT_STORE=redis needs REDIS_URL');
  if (objects === 'minio' && !s3Endpoint) problems.push('OBJECT_STORAGE=minio needs S3_ENDPOINT');
  // BullMQ's handlers run in workers, which need a database they can share: not the embedded one.
  const eventsTransport = read('EVENTS_TRANSPORT', oneOf('bullmq', 'in-process'), redisUrl && database === 'postgres' ? 'bullmq' : 'in-process');
  if (eventsTransport === 'bullmq' && !redisUrl) problems.push('EVENTS_TRANSPORT=bullmq needs REDIS_URL');
  if (eventsTransport === 'bullmq' && database !== 'postgres') problems.push('EVENTS_TRANSPORT=bullmq needs DATABASE_URL: its handlers run in `npm run worker` processes, which share the database');
  const relayInApi = read('EVENTS_RELAY_IN_API', bool, true);
  // The embedded database belongs to the API process: no worker could deliver its events.
  if (!relayInApi && database === 'embedded') problems.push('EVENTS_RELAY_IN_API=false needs a shared database (DATABASE_URL) and `npm run worker`');
  const jobsInApi = read('JOBS_RUN_IN_API', bool, true);
  if (!jobsInApi && database !== 'postgres') problems.push('JOBS_RUN_IN_API=false needs a shared database (DATABASE_URL) and `npm run worker`');
  if (objects === 'minio' && s3Endpoint) {
    const missingKeys = ['S3_ACCESS_KEY', 'S3_SECRET_KEY'].filter((name) => (env[name] ?? '').trim() === '');
    if (missingKeys.length > 0) problems.push(`S3_ENDPOINT needs ${missingKeys.join(' and ')} (the object store's credentials)`);
  }
  if (sessions === 'postgres' && database === 'memory') problems.push('SESSION_STORE=postgres needs a database (DATABASE=embedded or postgres)');

  const jwtSecret = optional('JWT_SECRET', secret);
  if (production && !jwtSecret && !problems.some((p) => p.startsWith('JWT_SECRET'))) {
    problems.push('JWT_SECRET must be set in production (a random string of at least 32 bytes)');
  }

  const config: Config = {
    env: env_,
    profile,
    adapters: { database, sessions, objects, rateLimits },
    http: {
      port: read('PORT', int(0, 65535), 3000),
      host: read('HOST', str(), '0.0.0.0'),
      corsOrigins: read('CORS_ORIGINS', list, []),
      jsonLimitBytes: read('JSON_BODY_LIMIT', int(1024, 10 * 1024 * 1024), 100 * 1024),
      trustProxy: read('TRUST_PROXY', trustProxy, false),
      docs: read('DOCS_ENABLED', bool, true),
      metrics: read('METRICS_ENABLED', bool, !production),
      metricsToken: optional('METRICS_TOKEN', str(16)),
      publicBaseUrl: optional('PUBLIC_BASE_URL', url('http', 'https'))?.replace(/\/+$/, ''),
    },
    dataDir: read('DATA_DIR', str(), './var'),
    embeddedTemplateDir: optional('EMBEDDED_TEMPLATE_DIR', str()),
    databaseUrl,
    redisUrl,
    redisConnectTimeoutMs: read('REDIS_CONNECT_TIMEOUT_MS', int(100, 600_000), 5_000),
    s3: s3Endpoint
      ? {
          endpoint: s3Endpoint,
          publicEndpoint: optional('S3_PUBLIC_ENDPOINT', url('http', 'https')),
          accessKey: read('S3_ACCESS_KEY', str(), ''),
          secretKey: read('S3_SECRET_KEY', str(), ''),
          bucket: read('S3_BUCKET', str(3), 'portside'),
          region: read('S3_REGION', str(), 'us-east-1'),
          useSsl: read('S3_USE_SSL', bool, s3Endpoint.startsWith('https:')),
          pathStyle: read('S3_PATH_STYLE', bool, true),
        }
      : undefined,
    auth: {
      jwtSecret,
      issuer: read('JWT_ISSUER', str(), 'portside'),
      audience: read('JWT_AUDIENCE', str(), 'portside-api'),
      accessTokenTtl: read('ACCESS_TOKEN_TTL', int(30, 86_400), 900),
      refreshTokenTtl: read('REFRESH_TOKEN_TTL', int(60, 365 * 86_400), 2_592_000),
      refreshIdleTimeout: read('REFRESH_IDLE_TIMEOUT', int(60, 365 * 86_400), 604_800),
      refreshReuseGrace: read('REFRESH_REUSE_GRACE', int(0, 300), 10),
      loginMaxFailures: read('LOGIN_MAX_FAILURES', int(1, 1000), 10),
      argon2: {
        memoryKib: read('ARGON2_MEMORY_KIB', int(1024, 4 * 1024 * 1024), 19_456),
        iterations: read('ARGON2_ITERATIONS', int(1, 100), 2),
        parallelism: read('ARGON2_PARALLELISM', int(1, 16), 1),
      },
      passwordHashing: {
        concurrency: read('PASSWORD_HASH_CONCURRENCY', int(1, 256), availableParallelism()),
        maxWaiting: read('PASSWORD_HASH_MAX_WAITING', int(0, 100_000), 64),
      },
    },
    files: {
      maxBytes: read('FILES_MAX_BYTES', int(1, Number.MAX_SAFE_INTEGER), 26_214_400),
      allowedTypes: read('FILES_ALLOWED_TYPES', list, DEFAULT_ALLOWED_TYPES),
      quotaBytes: read('FILES_QUOTA_BYTES', int(1, Number.MAX_SAFE_INTEGER), 1_073_741_824),
      linkTtl: read('FILE_LINK_TTL', int(10, 7 * 86_400), 900),
    },
    rateLimit: {
      perMinute: read('RATE_LIMIT_PER_MINUTE', int(1, 1_000_000), 600),
      authPerMinute: read('AUTH_RATE_LIMIT_PER_MINUTE', int(1, 1_000_000), 60),
    },
    notifications: {
      heartbeatSeconds: read('NOTIFICATIONS_HEARTBEAT_SECONDS', int(1, 300), 15),
      maxStreamsPerUser: read('NOTIFICATIONS_MAX_STREAMS_PER_USER', int(1, 100), 5),
      readRetentionDays: read('NOTIFICATION_RETENTION_DAYS', int(0, 36_500), 90),
    },
    audit: {
      retentionDays: read('AUDIT_RETENTION_DAYS', int(0, 36_500), 365),
    },
    log: {
      level: read('LOG_LEVEL', logLevel, 'info'),
      format: read('LOG_FORMAT', oneOf('pretty', 'json'), production ? 'json' : 'pretty'),
      dir: optional('LOG_DIR', str()),
    },
    shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT_MS', int(0, 600_000), 10_000),
    events: {
      transport: eventsTransport,
      relayInApi,
      retentionHours: read('EVENTS_RETENTION_HOURS', int(1, 24 * 3650), 168),
      maxAttempts: read('EVENTS_MAX_ATTEMPTS', int(1, 100), 10),
      pollMs: read('EVENTS_POLL_MS', int(100, 3_600_000), 5_000),
      workerConcurrency: read('WORKER_CONCURRENCY', int(1, 256), 4),
      queuePrefix: read('QUEUE_PREFIX', str(), 'portside'),
    },
    jobs: {
      runInApi: jobsInApi,
      maxAttempts: read('JOBS_MAX_ATTEMPTS', int(1, 100), 3),
      pollMs: read('JOBS_POLL_MS', int(100, 3_600_000), 2_000),
      concurrency: read('JOBS_CONCURRENCY', int(1, 64), 2),
      leaseMs: read('JOBS_LEASE_MS', int(1_000, 3_600_000), 60_000),
    },
    migrateOnStart: read('MIGRATE_ON_START', bool, !production) || database === 'embedded',
  };
  return problems.length > 0 ? E.left(new ConfigError(problems)) : E.right(config);
};
