import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { aPng } from '../support/file-samples.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';
import { eventually, startPostgres, type ThrowawayPostgres } from './support.js';

/**
 * The database and the object store vanish while the API serves (Postgres and the MinIO adapter,
 * each a throwaway instance): 503 with the envelope and Retry-After, readiness false, no crash,
 * no half-written change, and recovery by itself when the database returns.
 */
describe('faults: PostgreSQL and the object store go away', function () {
  this.timeout(120_000);
  let pg: ThrowawayPostgres;
  let s3: TestS3Server;
  let t: TestApp;
  let app: Express;
  let auth: { Authorization: string };
  const user = { email: 'fault-pg@example.com', username: 'fault_pg', password: 'Quasar-tangerine-orbit-93!' };

  const expectUnavailable = (res: request.Response, dependency: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(503);
    expect(res.body).to.include({ code: 503, error: 'SERVICE_UNAVAILABLE' });
    expect(res.body.message).to.match(dependency);
    expect(Number(res.headers['retry-after'])).to.be.greaterThan(0);
  };

  before(async function () {
    pg = await startPostgres(this);
    s3 = await startS3Server();
    t = await buildTestApp(
      {
        DATABASE: 'postgres',
        DATABASE_URL: pg.url,
        SESSION_STORE: 'postgres',
        OBJECT_STORAGE: 'minio',
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        S3_BUCKET: 'portside-faults',
      },
      { migrate: true },
    );
    app = t.app;
    await request(app).post('/api/v1/auth/register').send(user).expect(201);
    const { body } = await request(app).post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
    auth = { Authorization: `Bearer ${body.data.access_token as string}` };
  });

  after(async () => {
    await t?.close();
    await s3?.close().catch(() => undefined);
    await pg?.destroy();
  });

  it('database stopped: 503 and readiness false, then recovers by itself when it returns', async () => {
    await request(app).post('/api/v1/records').set(auth).send({ name: 'before' }).expect(201);
    await pg.stop();

    expectUnavailable(await request(app).get('/api/v1/records').set(auth), /database/);
    expectUnavailable(await request(app).post('/api/v1/records').set(auth).send({ name: 'during' }), /database/);
    const ready = await request(app).get('/health/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body.detail.checks.find((c: { name: string }) => c.name === 'database').status).to.equal('down');
    await request(app).get('/health').expect(200);

    await pg.start();
    await eventually(async () => (await request(app).get('/api/v1/records').set(auth)).status === 200, 20_000, 'database recovery');
    await request(app).get('/health/ready').expect(200);
    const { body } = await request(app).get('/api/v1/records').set(auth).expect(200);
    expect(body.data.items.map((r: { name: string }) => r.name)).to.deep.equal(['before']);
  });

  it('object store stopped: upload and download are 503, and the failed upload leaves no metadata', async () => {
    const up = await request(app).post('/api/v1/files').set(auth).attach('file', aPng(2048), { filename: 'kept.png', contentType: 'image/png' }).expect(201);
    const id = up.body.data.id as string;
    await s3.close();

    expectUnavailable(
      await request(app).post('/api/v1/files').set(auth).attach('file', aPng(4096), { filename: 'lost.png', contentType: 'image/png' }),
      /object storage/,
    );
    expectUnavailable(await request(app).get(`/api/v1/files/${id}/content`).set(auth), /object storage/);
    const list = await request(app).get('/api/v1/files').set(auth).expect(200);
    expect(list.body.data.items.map((f: { filename: string }) => f.filename)).to.deep.equal(['kept.png']);
  });
});
