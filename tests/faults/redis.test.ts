import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { buildTestApp, type TestApp } from '../support/app.js';
import { eventually, exitWithin, killLaunched, launchServer, startRedis, tempDir, type ThrowawayRedis } from './support.js';
import { rm } from 'node:fs/promises';
import { freePort } from './support.js';

/**
 * Redis vanishes while the API serves (sessions and rate limits on Redis): routes that need it
 * answer 503 with the envelope and Retry-After, the rest keep working on a per-process limit,
 * nothing is left half done, and everything recovers by itself when Redis returns.
 */
describe('faults: Redis goes away (sessions and rate limits on Redis)', function () {
  this.timeout(60_000);
  let redis: ThrowawayRedis;
  let t: TestApp;
  let app: Express;
  const user = { email: 'fault-redis@example.com', username: 'fault_redis', password: 'Quasar-tangerine-orbit-93!' };

  const login = () => request(app).post('/api/v1/auth/login').send({ email: user.email, password: user.password });

  const expectUnavailable = (res: request.Response) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(503);
    expect(res.body).to.include({ code: 503 });
    expect(res.body.error).to.equal('SERVICE_UNAVAILABLE');
    expect(Number(res.headers['retry-after'])).to.be.greaterThan(0);
  };

  before(async function () {
    redis = await startRedis(this);
    t = await buildTestApp({
      SESSION_STORE: 'redis',
      RATE_LIMIT_STORE: 'redis',
      REDIS_URL: redis.url,
      LOG_LEVEL: 'error',
    });
    app = t.app;
    await request(app).post('/api/v1/auth/register').send(user).expect(201);
  });

  after(async () => {
    await t?.close();
    await redis?.destroy();
  });

  afterEach(async () => {
    // Whatever a failed test left stopped comes back for the next one.
    await redis.start().catch(() => undefined);
    await eventually(async () => (await request(app).get('/health/ready')).status === 200, 10_000, 'redis back');
  });

  it('answers 503 with Retry-After on authenticated routes and login, never 500; register and health still work', async () => {
    const { body } = await login().expect(200);
    const access = body.data.access_token as string;
    await redis.stop();

    expectUnavailable(await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${access}`));
    expectUnavailable(await login());
    // Routes that do not need Redis keep working on the per-process limit.
    await request(app).post('/api/v1/auth/register').send({ ...user, email: 'second@example.com', username: 'second_user' }).expect(201);
    await request(app).get('/health').expect(200);
    const ready = await request(app).get('/health/ready');
    expectUnavailable(ready);

    await redis.start();
    await eventually(async () => (await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${access}`)).status === 200, 10_000, 'recovery');
    await login().expect(200);
  });

  it('refresh during the outage is a 503 and rotates nothing: the same refresh token works once Redis is back', async () => {
    const { body } = await login().expect(200);
    const refresh = body.data.refresh_token as string;
    await redis.stop();
    expectUnavailable(await request(app).post('/api/v1/auth/refresh').send({ refresh_token: refresh }));
    await redis.start();
    await eventually(async () => (await request(app).get('/health/ready')).status === 200, 10_000, 'redis back');
    const rotated = await request(app).post('/api/v1/auth/refresh').send({ refresh_token: refresh }).expect(200);
    const next = rotated.body.data.refresh_token as string;
    await request(app).post('/api/v1/auth/refresh').send({ refresh_token: next }).expect(200);
  });
});

describe('faults: Redis unreachable at start-up', function () {
  // Most of it is loading the server's modules, which is slow on a busy machine.
  this.timeout(180_000);
  after(killLaunched);

  it('gives up after REDIS_CONNECT_TIMEOUT_MS with one line naming REDIS_URL and exits non-zero', async () => {
    const cwd = await tempDir('redis-start');
    try {
      const closed = await freePort();
      const server = await launchServer(
        { PROFILE: 'memory', SESSION_STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${closed}`, REDIS_CONNECT_TIMEOUT_MS: '500' },
        cwd,
      );
      const { code } = await exitWithin(server, 150_000);
      expect(code).to.equal(1);
      const line = server.output().split('\n').find((l) => l.includes('REDIS_URL'));
      expect(line, server.output()).to.match(/Cannot reach Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\) within 500 ms/);
      expect(server.output()).not.to.match(/\n\s+at /); // no stack trace
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
