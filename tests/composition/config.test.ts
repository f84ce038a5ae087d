import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { ConfigError, DEFAULT_ALLOWED_TYPES, decodeConfig, type Config } from '../../composition/config.js';

type Env = Record<string, string>;

const decoded = (env: Env): Config => {
  const result = decodeConfig(env);
  if (E.isLeft(result)) throw new Error(`expected a valid config, got:\n${result.left.message}`);
  return result.right;
};

const rejected = (env: Env): ConfigError => {
  const result = decodeConfig(env);
  if (E.isRight(result)) throw new Error(`expected ${JSON.stringify(env)} to be refused`);
  expect(result.left).to.be.instanceOf(ConfigError);
  return result.left;
};

const A_SECRET = 'k'.repeat(40);

describe('configuration (composition/config.ts)', () => {
  describe('the embedded default', () => {
    it('needs nothing: an empty environment gives the embedded profile and the contract defaults', () => {
      const config = decoded({});
      expect(config.profile).to.equal('embedded');
      expect(config.env).to.equal('development');
      expect(config.adapters).to.deep.equal({ database: 'embedded', sessions: 'postgres', objects: 'local-disk', rateLimits: 'memory' });
      expect(config.http).to.include({ port: 3000, host: '0.0.0.0', jsonLimitBytes: 100 * 1024, docs: true });
      expect(config.http.corsOrigins).to.deep.equal([]);
      expect(config.dataDir).to.equal('./var');
      expect(config.databaseUrl).to.equal(undefined);
      expect(config.redisUrl).to.equal(undefined);
      expect(config.s3).to.equal(undefined);
      expect(config.auth.jwtSecret).to.equal(undefined);
      expect(config.auth).to.include({ accessTokenTtl: 900, refreshTokenTtl: 2_592_000, loginMaxFailures: 10 });
      expect(config.files).to.include({ maxBytes: 26_214_400 });
      expect(config.files.allowedTypes).to.deep.equal(DEFAULT_ALLOWED_TYPES);
      expect(config.rateLimit).to.deep.equal({ perMinute: 600, authPerMinute: 60 });
      expect(config.log).to.deep.equal({ level: 'info', format: 'pretty', dir: undefined });
    });

    it('treats blank values as unset, as an .env copied from .env.example would have them', () => {
      const config = decoded({ PORT: '', DATABASE_URL: '  ', LOG_LEVEL: '' });
      expect(config.http.port).to.equal(3000);
      expect(config.adapters.database).to.equal('embedded');
      expect(config.log.level).to.equal('info');
    });

    it('accepts good values for the simple variables', () => {
      const config = decoded({
        PORT: '8080', HOST: '127.0.0.1', DATA_DIR: '/srv/portside', LOG_LEVEL: 'debug', LOG_FORMAT: 'json', LOG_DIR: '/var/log/portside',
        ACCESS_TOKEN_TTL: '300', REFRESH_TOKEN_TTL: '86400', FILES_MAX_BYTES: '1048576', FILES_ALLOWED_TYPES: 'image/png,application/pdf',
        RATE_LIMIT_PER_MINUTE: '100', AUTH_RATE_LIMIT_PER_MINUTE: '5', LOGIN_MAX_FAILURES: '3', DOCS_ENABLED: 'false', TRUST_PROXY: '1',
      });
      expect(config.http).to.include({ port: 8080, host: '127.0.0.1', docs: false, trustProxy: 1 });
      expect(config.dataDir).to.equal('/srv/portside');
      expect(config.log).to.deep.equal({ level: 'debug', format: 'json', dir: '/var/log/portside' });
      expect(config.auth).to.include({ accessTokenTtl: 300, refreshTokenTtl: 86_400, loginMaxFailures: 3 });
      expect(config.files.maxBytes).to.equal(1_048_576);
      expect(config.files.allowedTypes).to.deep.equal(['image/png', 'application/pdf']);
      expect(config.rateLimit).to.deep.equal({ perMinute: 100, authPerMinute: 5 });
    });
  });

  describe('choosing adapters', () => {
    it('DATABASE_URL alone moves the database to Postgres and the profile to services', () => {
      const config = decoded({ DATABASE_URL: 'postgres://app:pw@db:5432/portside' });
      expect(config.profile).to.equal('services');
      expect(config.databaseUrl).to.equal('postgres://app:pw@db:5432/portside');
      expect(config.adapters).to.deep.equal({ database: 'postgres', sessions: 'postgres', objects: 'local-disk', rateLimits: 'memory' });
    });

    it('REDIS_URL moves sessions and rate limits to Redis, and leaves the embedded database', () => {
      const config = decoded({ REDIS_URL: 'redis://cache:6379/0' });
      expect(config.profile).to.equal('services');
      expect(config.adapters).to.deep.equal({ database: 'embedded', sessions: 'redis', objects: 'local-disk', rateLimits: 'redis' });
    });

    it('S3_ENDPOINT moves objects to MinIO with the S3 settings and their defaults', () => {
      const config = decoded({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'portside', S3_SECRET_KEY: 'portside-secret' });
      expect(config.profile).to.equal('services');
      expect(config.adapters.objects).to.equal('minio');
      expect(config.s3).to.deep.equal({
        endpoint: 'http://minio:9000', publicEndpoint: undefined, accessKey: 'portside', secretKey: 'portside-secret',
        bucket: 'portside', region: 'us-east-1', useSsl: false, pathStyle: true,
      });
      expect(decoded({ S3_ENDPOINT: 'https://s3.example.com', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' }).s3?.useSsl).to.equal(true);
    });

    it('S3_ENDPOINT without S3_ACCESS_KEY or S3_SECRET_KEY is refused, naming both', () => {
      expect(rejected({ S3_ENDPOINT: 'http://minio:9000' }).problems).to.deep.equal([
        'S3_ENDPOINT needs S3_ACCESS_KEY and S3_SECRET_KEY (the object store\'s credentials)',
      ]);
      expect(rejected({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k' }).problems).to.deep.equal([
        'S3_ENDPOINT needs S3_SECRET_KEY (the object store\'s credentials)',
      ]);
      // Not needed when objects stay on local disk.
      expect(decoded({ S3_ENDPOINT: 'http://minio:9000', OBJECT_STORAGE: 'local-disk' }).adapters.objects).to.equal('local-disk');
    });

    it('S3_PUBLIC_ENDPOINT is the host links are presigned for', () => {
      const config = decoded({ S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'http://localhost:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' });
      expect(config.s3?.publicEndpoint).to.equal('http://localhost:9000');
      expect(rejected({ S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'localhost:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' }).message).to.contain(
        'S3_PUBLIC_ENDPOINT must be a URL (http or https)',
      );
    });

    it('METRICS_TOKEN states the real rule (16 characters)', () => {
      expect(rejected({ METRICS_TOKEN: 'short' }).problems).to.deep.equal(['METRICS_TOKEN must be a string of at least 16 characters; got (value not shown)']);
    });

    it('all three services together', () => {
      const config = decoded({ DATABASE_URL: 'postgresql://db/portside', REDIS_URL: 'rediss://cache:6380', S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' });
      expect(config.adapters).to.deep.equal({ database: 'postgres', sessions: 'redis', objects: 'minio', rateLimits: 'redis' });
    });

    it('each port can be named explicitly, so a deployment can mix', () => {
      const config = decoded({
        DATABASE_URL: 'postgres://db/portside', REDIS_URL: 'redis://cache:6379', S3_ENDPOINT: 'http://minio:9000',
        SESSION_STORE: 'postgres', OBJECT_STORAGE: 'local-disk', RATE_LIMIT_STORE: 'memory',
      });
      expect(config.adapters).to.deep.equal({ database: 'postgres', sessions: 'postgres', objects: 'local-disk', rateLimits: 'memory' });
      expect(decoded({ DATABASE_URL: 'postgres://db/portside', DATABASE: 'embedded' }).adapters.database).to.equal('embedded');
      expect(decoded({ REDIS_URL: 'redis://cache:6379', RATE_LIMIT_STORE: 'redis', SESSION_STORE: 'postgres' }).adapters)
        .to.include({ sessions: 'postgres', rateLimits: 'redis' });
    });

    it('PROFILE=memory puts every port in memory, even with service URLs set', () => {
      const config = decoded({ PROFILE: 'memory', DATABASE_URL: 'postgres://db/portside', REDIS_URL: 'redis://cache:6379' });
      expect(config.profile).to.equal('memory');
      expect(config.adapters).to.deep.equal({ database: 'memory', sessions: 'memory', objects: 'memory', rateLimits: 'memory' });
    });

    it('refuses an explicit adapter whose service is not configured, naming what is missing', () => {
      expect(rejected({ DATABASE: 'postgres' }).message).to.contain('DATABASE=postgres needs DATABASE_URL');
      expect(rejected({ SESSION_STORE: 'redis' }).message).to.contain('needs REDIS_URL');
      expect(rejected({ RATE_LIMIT_STORE: 'redis' }).message).to.contain('needs REDIS_URL');
      expect(rejected({ OBJECT_STORAGE: 'minio' }).message).to.contain('OBJECT_STORAGE=minio needs S3_ENDPOINT');
      expect(rejected({ DATABASE: 'memory', SESSION_STORE: 'postgres' }).message).to.contain('SESSION_STORE=postgres needs a database');
    });

    it('events go through BullMQ to workers only with Redis and a shared PostgreSQL; in-process otherwise', () => {
      expect(decoded({}).events).to.include({ transport: 'in-process', relayInApi: true, retentionHours: 168, maxAttempts: 10 });
      expect(decoded({ REDIS_URL: 'redis://cache:6379' }).events.transport).to.equal('in-process');
      expect(decoded({ DATABASE_URL: 'postgres://db/p' }).events.transport).to.equal('in-process');
      expect(decoded({ DATABASE_URL: 'postgres://db/p', REDIS_URL: 'redis://cache:6379' }).events.transport).to.equal('bullmq');
      expect(decoded({ DATABASE_URL: 'postgres://db/p', REDIS_URL: 'redis://cache:6379', EVENTS_TRANSPORT: 'in-process' }).events.transport).to.equal('in-process');
      expect(rejected({ DATABASE_URL: 'postgres://db/p', EVENTS_TRANSPORT: 'bullmq' }).message).to.contain('EVENTS_TRANSPORT=bullmq needs REDIS_URL');
      expect(rejected({ REDIS_URL: 'redis://cache:6379', EVENTS_TRANSPORT: 'bullmq' }).message).to.contain('EVENTS_TRANSPORT=bullmq needs DATABASE_URL');
      // Nothing but the API can deliver the embedded database's events.
      expect(rejected({ EVENTS_RELAY_IN_API: 'false' }).message).to.contain('EVENTS_RELAY_IN_API=false needs a shared database');
      expect(decoded({ DATABASE_URL: 'postgres://db/p', EVENTS_RELAY_IN_API: 'false' }).events.relayInApi).to.equal(false);
      // Jobs likewise: only the API process can run the embedded database's jobs.
      expect(rejected({ JOBS_RUN_IN_API: 'false' }).message).to.contain('JOBS_RUN_IN_API=false needs a shared database');
      expect(decoded({}).jobs).to.deep.equal({ runInApi: true, maxAttempts: 3, pollMs: 2_000, concurrency: 2, leaseMs: 60_000 });
      expect(decoded({ JOBS_LEASE_MS: '3000' }).jobs.leaseMs).to.equal(3_000);
      expect(rejected({ JOBS_LEASE_MS: '999' }).message).to.contain('JOBS_LEASE_MS must be an integer from 1000 to 3600000');
      // Retention: 0 keeps everything; the defaults keep read notifications 90 days, the audit trail a year.
      expect(decoded({}).notifications.readRetentionDays).to.equal(90);
      expect(decoded({}).audit.retentionDays).to.equal(365);
      expect(decoded({ NOTIFICATION_RETENTION_DAYS: '0', AUDIT_RETENTION_DAYS: '0' })).to.deep.include({ audit: { retentionDays: 0 } });
      expect(rejected({ AUDIT_RETENTION_DAYS: '-1' }).message).to.contain('AUDIT_RETENTION_DAYS must be an integer from 0 to 36500');
      expect(decoded({ DATABASE_URL: 'postgres://db/p', JOBS_RUN_IN_API: 'false' }).jobs.runInApi).to.equal(false);
    });

    it('refuses an unknown adapter name, listing the valid ones', () => {
      const error = rejected({ DATABASE: 'mysql', OBJECT_STORAGE: 's3', PROFILE: 'cloud' });
      expect(error.problems).to.have.length(3);
      expect(error.message).to.contain('DATABASE must be one of embedded, postgres, memory; got "mysql"');
      expect(error.message).to.contain('OBJECT_STORAGE must be one of local-disk, minio, memory; got "s3"');
      expect(error.message).to.contain('PROFILE must be one of embedded, services, memory; got "cloud"');
    });
  });

  describe('bad values stop start-up, naming the variable and the expected form', () => {
    for (const [name, value, expected] of [
      ['PORT', 'eighty', 'PORT must be an integer from 0 to 65535; got "eighty"'],
      ['PORT', '70000', 'PORT must be an integer from 0 to 65535; got "70000"'],
      ['PORT', '-1', 'PORT must be an integer from 0 to 65535'],
      ['PORT', '80.5', 'PORT must be an integer from 0 to 65535'],
      ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of error, warn, info, http, verbose, debug, silly; got "loud"'],
      ['LOG_FORMAT', 'xml', 'LOG_FORMAT must be one of pretty, json'],
      ['DATABASE_URL', 'not a url', 'DATABASE_URL must be a URL (postgres or postgresql); got (value not shown)'],
      ['DATABASE_URL', 'mysql://db/portside', 'DATABASE_URL must be a URL (postgres or postgresql)'],
      ['REDIS_URL', 'http://cache:6379', 'REDIS_URL must be a URL (redis or rediss)'],
      ['S3_ENDPOINT', 'minio:9000', 'S3_ENDPOINT must be a URL (http or https)'],
      ['ACCESS_TOKEN_TTL', '5', 'ACCESS_TOKEN_TTL must be an integer from 30 to 86400'],
      ['DOCS_ENABLED', 'maybe', 'DOCS_ENABLED must be true or false'],
      ['JSON_BODY_LIMIT', '100kb', 'JSON_BODY_LIMIT must be an integer'],
    ] as const) {
      it(`${name}=${JSON.stringify(value)}`, () => {
        const error = rejected({ [name]: value });
        expect(error.message).to.contain(expected);
        expect(error.problems).to.have.length(1);
      });
    }

    it('lists every bad variable at once, not only the first', () => {
      const error = rejected({ PORT: 'x', LOG_LEVEL: 'y', DATABASE_URL: 'z' });
      expect(error.problems.map((p) => p.split(' ')[0])).to.have.members(['PORT', 'LOG_LEVEL', 'DATABASE_URL']);
      expect(error.message).to.match(/^Invalid configuration:\n {2}- /);
    });
  });

  describe('JWT_SECRET', () => {
    it('production refuses to start without it', () => {
      const error = rejected({ NODE_ENV: 'production' });
      expect(error.message).to.contain('JWT_SECRET must be set in production');
    });

    it('production refuses a short one, saying how long it must be', () => {
      const error = rejected({ NODE_ENV: 'production', JWT_SECRET: 'too-short-secret' });
      expect(error.message).to.contain('JWT_SECRET must be a string of at least 32 bytes');
      expect(error.problems).to.have.length(1);
    });

    it('production starts with a long enough one and hardens its defaults', () => {
      const config = decoded({ NODE_ENV: 'production', JWT_SECRET: A_SECRET });
      expect(config.env).to.equal('production');
      expect(config.auth.jwtSecret).to.equal(A_SECRET);
      expect(config.log.format).to.equal('json');
      expect(config.http.metrics).to.equal(false);
    });

    it('counts bytes, not characters', () => {
      // 16 two-byte characters: 32 bytes.
      expect(decoded({ NODE_ENV: 'production', JWT_SECRET: 'é'.repeat(16) }).auth.jwtSecret).to.equal('é'.repeat(16));
      expect(rejected({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(31) }).message).to.contain('at least 32 bytes');
    });

    it('outside production it is optional (generated under DATA_DIR later), but a short one is still refused', () => {
      expect(decoded({}).auth.jwtSecret).to.equal(undefined);
      expect(rejected({ JWT_SECRET: 'short' }).message).to.contain('JWT_SECRET must be a string of at least 32 bytes');
    });
  });

  describe('secrets never appear in messages', () => {
    const leaks = (env: Env, secretValue: string) => {
      const error = rejected(env);
      expect(error.message).not.to.contain(secretValue);
      expect(JSON.stringify(error.problems)).not.to.contain(secretValue);
      return error;
    };

    it('a short JWT_SECRET is not echoed', () => {
      const error = leaks({ NODE_ENV: 'production', JWT_SECRET: 'hunter2-but-short' }, 'hunter2');
      expect(error.message).to.contain('JWT_SECRET');
    });

    it('a malformed METRICS_TOKEN is not echoed', () => {
      leaks({ METRICS_TOKEN: 'tok-hunter2' }, 'hunter2');
    });

    it('the password inside a malformed DATABASE_URL or REDIS_URL is not echoed', () => {
      // A URL refused for its scheme may still carry real credentials.
      const db = leaks({ DATABASE_URL: 'mysql://app:hunter2@db/portside' }, 'hunter2');
      expect(db.message).to.contain('DATABASE_URL must be a URL (postgres or postgresql)');
      leaks({ REDIS_URL: 'http://:hunter2@cache:6379' }, 'hunter2');
    });

    it('nor when the password itself holds an @, or the scheme is missing', () => {
      // Unencoded '@' in a password is a common reason a URL is malformed in the first place.
      leaks({ DATABASE_URL: 'mysql://app:hun@ter2@db/portside' }, 'ter2');
      leaks({ DATABASE_URL: 'app:hunter2@db:5432/portside' }, 'hunter2');
      leaks({ REDIS_URL: 'cache:6379?password=hunter2' }, 'hunter2');
    });
  });

  describe('NODE_ENV, migrations at start, public base URL', () => {
    it('refuses an unknown NODE_ENV rather than quietly running without production hardening', () => {
      expect(rejected({ NODE_ENV: 'prod' }).message).to.contain('NODE_ENV must be one of production, development, test; got "prod"');
    });

    it('migrates at start outside production, not in production unless asked, and always for the embedded database', () => {
      expect(decoded({ DATABASE_URL: 'postgres://db/p' }).migrateOnStart).to.equal(true);
      const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://db/p' };
      expect(decoded(prod).migrateOnStart).to.equal(false);
      expect(decoded({ ...prod, MIGRATE_ON_START: 'true' }).migrateOnStart).to.equal(true);
      expect(decoded({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).migrateOnStart).to.equal(true);
      expect(rejected({ MIGRATE_ON_START: 'sometimes' }).message).to.contain('MIGRATE_ON_START must be true or false');
    });

    it('takes PUBLIC_BASE_URL without a trailing slash, and only http(s)', () => {
      expect(decoded({ PUBLIC_BASE_URL: 'https://api.example.com/' }).http.publicBaseUrl).to.equal('https://api.example.com');
      expect(decoded({}).http.publicBaseUrl).to.equal(undefined);
      expect(rejected({ PUBLIC_BASE_URL: 'ftp://x' }).message).to.contain('PUBLIC_BASE_URL must be a URL (http or https)');
    });
  });

  describe('CORS_ORIGINS', () => {
    it('is a comma-separated allow-list; spaces and empty items are dropped', () => {
      expect(decoded({ CORS_ORIGINS: 'https://app.example.com' }).http.corsOrigins).to.deep.equal(['https://app.example.com']);
      expect(decoded({ CORS_ORIGINS: ' https://a.example.com , ,https://b.example.com:8443,' }).http.corsOrigins)
        .to.deep.equal(['https://a.example.com', 'https://b.example.com:8443']);
    });

    it('unset means no cross-origin access at all', () => {
      expect(decoded({}).http.corsOrigins).to.deep.equal([]);
    });
  });
});
