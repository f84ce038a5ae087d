import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { decodeConfig, type Config } from '../../composition/config.js';
import { narrowForCommand } from '../../composition/cli-scope.js';
import { wiringLine } from '../../composition/wiring.js';

const config = (env: Record<string, string>): Config => {
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
};

describe('the start-up wiring line (composition/wiring.ts)', () => {
  it('names the adapter of every port: the embedded default', () => {
    expect(wiringLine(config({ DATA_DIR: '/srv/p' }))).to.equal(
      'database: embedded PostgreSQL (PGlite) in /srv/p/db; sessions: database; objects: local disk /srv/p/objects; rate limits: in-process memory; jobs: in-process; events: in-process',
    );
  });

  it('only S3_ENDPOINT set: the database stays embedded, objects go to S3 (no "services" claim)', () => {
    const line = wiringLine(config({ DATA_DIR: '/srv/p', S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 'secret-key', S3_PUBLIC_ENDPOINT: 'https://files.example.com' }));
    expect(line).to.equal(
      'database: embedded PostgreSQL (PGlite) in /srv/p/db; sessions: database; objects: S3 minio:9000 bucket portside (links via files.example.com); rate limits: in-process memory; jobs: in-process; events: in-process',
    );
    expect(line).not.to.match(/services|secret-key/);
  });

  it('on services: database host and name, never credentials', () => {
    const line = wiringLine(config({ DATABASE_URL: 'postgres://app:hunter2@db.internal:6432/portside', REDIS_URL: 'redis://:pw@cache:6380' }));
    expect(line).to.contain('database: PostgreSQL db.internal:6432/portside; sessions: Redis cache:6380;');
    expect(line).to.contain('rate limits: Redis cache:6380');
    expect(line).not.to.match(/hunter2|app:|pw@/);
  });
});

describe('what a CLI command opens (narrowForCommand)', () => {
  const services = config({ DATABASE_URL: 'postgres://db/portside', REDIS_URL: 'redis://cache:6379', S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' });

  it('a command that uses neither sessions nor objects opens no Redis and no object store', () => {
    const narrowed = narrowForCommand(services, {});
    expect(narrowed.redisUrl).to.equal(undefined);
    expect(narrowed.adapters).to.deep.equal({ database: 'postgres', sessions: 'postgres', objects: 'memory', rateLimits: 'memory' });
  });

  it('keeps the session store and the object store for the commands that use them', () => {
    expect(narrowForCommand(services, { usesSessions: true }).adapters.sessions).to.equal('redis');
    expect(narrowForCommand(services, { usesSessions: true }).redisUrl).to.equal('redis://cache:6379');
    expect(narrowForCommand(services, { usesObjectStorage: true }).adapters.objects).to.equal('minio');
  });
});
