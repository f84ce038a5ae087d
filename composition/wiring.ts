import { resolve } from 'node:path';
import type { Config } from './config.js';
import { describeDatabaseUrl } from './startup-error.js';

/** One port and the adapter that serves it, as the start-up line shows it. */
export interface PortWiring {
  readonly port: string;
  readonly adapter: string;
}

const redisWhere = (url: string | undefined): string => {
  if (!url) return '';
  try {
    const u = new URL(url);
    return ` ${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '';
  }
};

/**
 * Which adapter serves each port, read from the configuration alone (never a credential: hosts,
 * database and bucket names only). The server prints it at start; a new port adds one entry here.
 */
export const describeWiring = (config: Config): PortWiring[] => {
  const { database, sessions, objects, rateLimits } = config.adapters;
  const s3 = config.s3;
  return [
    {
      port: 'database',
      adapter:
        database === 'embedded'
          ? `embedded PostgreSQL (PGlite) in ${resolve(config.dataDir, 'db')}`
          : database === 'postgres'
            ? `PostgreSQL ${describeDatabaseUrl(config.databaseUrl ?? '')}`
            : 'memory (nothing survives a restart)',
    },
    { port: 'sessions', adapter: sessions === 'redis' ? `Redis${redisWhere(config.redisUrl)}` : sessions === 'postgres' ? 'database' : 'memory' },
    {
      port: 'objects',
      adapter:
        objects === 'minio' && s3
          ? `S3 ${new URL(s3.endpoint).host} bucket ${s3.bucket}${s3.publicEndpoint ? ` (links via ${new URL(s3.publicEndpoint).host})` : ''}`
          : objects === 'local-disk'
            ? `local disk ${resolve(config.dataDir, 'objects')}`
            : 'memory',
    },
    { port: 'rate limits', adapter: rateLimits === 'redis' ? `Redis${redisWhere(config.redisUrl)}` : 'in-process memory' },
    { port: 'jobs', adapter: 'in-process' },
    { port: 'events', adapter: 'in-process' },
  ];
};

/** `database: …; sessions: …; …` on one line. */
export const wiringLine = (config: Config): string => describeWiring(config).map((w) => `${w.port}: ${w.adapter}`).join('; ');
