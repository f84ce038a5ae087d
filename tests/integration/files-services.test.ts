import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { FileTypeContentTypeDetector } from '../../adapters/file-type/file-type-content-type-detector.js';
import { routesApp } from '../support/routes-app.js';
import { fileUseCases } from '../../composition/modules/files.js';
import { fileRoutes } from '../../adapters/http/routes/files.js';
import { MinioObjectStorage } from '../../adapters/minio/minio-object-storage.js';
import { PostgresFileRepository } from '../../adapters/postgres/postgres-file-repository.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { DEFAULT_ALLOWED_TYPES } from '../../core/files/entities/file-policy.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { unauthenticated } from '../../core/shared/entities/errors.js';
import { openPostgres, type TestDatabase } from '../support/databases.js';
import { aPng } from '../support/file-samples.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';
import { right } from '../support/builders.js';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('Files on the services adapters (Postgres + MinIO adapter against s3rver)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let s3: TestS3Server;
  let files: PostgresFileRepository;
  let app: ReturnType<typeof routesApp>;
  const alice: Actor = { userId: uuidv7(), sessionId: uuidv7(), role: 'taker', isAdmin: false };

  before(async function () {
    database = await openPostgres(this);
    s3 = await startS3Server();
    const storage = new MinioObjectStorage({
      endpoint: s3.endpoint,
      accessKey: s3.accessKey,
      secretKey: s3.secretKey,
      bucket: `portside-${randomBytes(4).toString('hex')}`,
      pathStyle: true,
      partSize: 5 * 1024 * 1024,
      timeoutMs: 3000,
    });
    await storage.ensureBucket();
    files = new PostgresFileRepository(database.db);
    const uow = new PostgresUnitOfWork(database.db);
    const clock = { now: () => new Date() };
    const ids = { next: () => uuidv7() };
    const policy = { maxBytes: 20 * 1024 * 1024, quotaBytes: 1024 ** 3, allowedTypes: DEFAULT_ALLOWED_TYPES, linkTtlSeconds: 300 };
    const detector = new FileTypeContentTypeDetector();
    const routes = fileRoutes(fileUseCases({ files, storage, detector, uow, ids, clock, policy }), { maxBytes: policy.maxBytes });
    app = routesApp(routes, { authenticate: async (token) => (token === 'alice' ? E.right(alice) : E.left(unauthenticated())) });
  });
  after(async () => {
    await s3?.close().catch(() => undefined);
    await database?.close();
  });

  it('round-trips a multi-megabyte file (multipart to the store), serves ranges and a presigned link, and deletes', async () => {
    const png = aPng(12 * 1024 * 1024);
    const up = await request(app).post('/api/v1/files').set('Authorization', 'Bearer alice').attach('file', png, { filename: 'big.png', contentType: 'image/png' }).expect(201);
    const id = up.body.data.id as string;
    expect(up.body.data).to.include({ size: png.length, sha256: sha256(png) });
    const down = await request(app).get(`/api/v1/files/${id}/content`).set('Authorization', 'Bearer alice').buffer(true).parse(binary).expect(200);
    expect(sha256(down.body as Buffer)).to.equal(sha256(png));
    const part = await request(app).get(`/api/v1/files/${id}/content`).set('Authorization', 'Bearer alice').set('Range', 'bytes=0-0').buffer(true).parse(binary).expect(206);
    expect((part.body as Buffer).equals(png.subarray(0, 1))).to.equal(true);
    const link = await request(app).get(`/api/v1/files/${id}/url`).set('Authorization', 'Bearer alice').expect(200);
    expect(link.body.data.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);
    const fetched = await fetch(link.body.data.url as string);
    expect(fetched.status).to.equal(200);
    expect(sha256(Buffer.from(await fetched.arrayBuffer()))).to.equal(sha256(png));
    await request(app).delete(`/api/v1/files/${id}`).set('Authorization', 'Bearer alice').expect(204);
    expect((await fetch(link.body.data.url as string)).status).to.equal(404);
    expect(await files.findById(id)).to.equal(null);
  });

  it('answers 503 when the store has gone away, and keeps no metadata', async () => {
    await s3.close();
    const res = await request(app).post('/api/v1/files').set('Authorization', 'Bearer alice').attach('file', aPng(100_000), { filename: 'a.png', contentType: 'image/png' }).expect(503);
    expect(res.body.error).to.equal('SERVICE_UNAVAILABLE');
    expect((right(await files.listByOwner(alice.userId, { page: 1, size: 10 }))).total).to.equal(0);
  });
});
