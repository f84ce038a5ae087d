import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { Client } from 'minio';
import sinon from 'sinon';
import { LocalDiskObjectStorage } from '../../adapters/local-disk/local-disk-object-storage.js';
import { MemoryObjectStorage } from '../../adapters/memory/memory-object-storage.js';
import { MinioObjectStorage } from '../../adapters/minio/minio-object-storage.js';
import type { ObjectStorage } from '../../core/files/ports/object-storage.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';
import { startS3Server } from '../support/s3-server.js';
import { chunked, cutOff, objectStorageContract, readAll } from './object-storage.contract.js';

const LINK_PREFIX = '/api/v1/files/links/';

/** Opens one of the API's own links the way its route does: resolve the token, then read. */
const openApiLink = async (storage: ObjectStorage, url: string, now: Date): Promise<Buffer | null> => {
  if (!url.startsWith(LINK_PREFIX)) return null;
  const target = await storage.resolveLink(url.slice(LINK_PREFIX.length), now);
  const content = target && (await storage.get(target.key));
  return content ? readAll(content.body) : null;
};

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
};

objectStorageContract('memory', async () => {
  const storage = new MemoryObjectStorage(LINK_PREFIX);
  return {
    storage,
    openLink: (url, now) => openApiLink(storage, url, now),
    leftovers: async () => storage.keys().sort(),
  };
});

objectStorageContract('local disk', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'portside-objects-'));
  const linkSecret = randomBytes(32);
  const storage = new LocalDiskObjectStorage({ root, linkSecret, linkPrefix: LINK_PREFIX });
  // A root below a regular file: every path under it fails with ENOTDIR, like a lost mount.
  const blocker = await mkdtemp(path.join(os.tmpdir(), 'portside-blocked-'));
  await writeFile(path.join(blocker, 'file'), '');
  return {
    storage,
    openLink: (url, now) => openApiLink(storage, url, now),
    leftovers: () => filesUnder(root),
    unreachable: () => new LocalDiskObjectStorage({ root: path.join(blocker, 'file', 'objects'), linkSecret }),
    close: async () => {
      await rm(root, { recursive: true, force: true });
      await rm(blocker, { recursive: true, force: true });
    },
  };
});

objectStorageContract('minio (against s3rver)', async () => {
  const s3 = await startS3Server();
  const bucket = `portside-${randomBytes(4).toString('hex')}`;
  const base = { accessKey: s3.accessKey, secretKey: s3.secretKey, bucket, pathStyle: true, partSize: 5 * 1024 * 1024 };
  const storage = new MinioObjectStorage({ ...base, endpoint: s3.endpoint });
  await storage.ensureBucket();
  const inspector = new Client({ endPoint: '127.0.0.1', port: Number(new URL(s3.endpoint).port), useSSL: false, accessKey: s3.accessKey, secretKey: s3.secretKey, pathStyle: true });
  return {
    storage,
    tamperCheckUnavailable: 's3rver does not verify SigV4 signatures; MinIO and S3 do',
    async openLink(url) {
      // s3rver checks presigned expiry against its own (real) clock, so the contract's times are real ones.
      const response = await fetch(url);
      return response.ok ? Buffer.from(await response.arrayBuffer()) : null;
    },
    async leftovers() {
      // s3rver cannot list or abort multipart uploads; completed objects are what it can show.
      const names: string[] = [];
      for await (const item of inspector.listObjectsV2(bucket, '', true)) names.push(String(item.name));
      return names.sort();
    },
    unreachable: () => new MinioObjectStorage({ ...base, endpoint: 'http://127.0.0.1:1', timeoutMs: 2000 }),
    close: () => s3.close(),
  };
});

describe('MinioObjectStorage specifics (against s3rver)', function () {
  this.timeout(60_000);
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  const options = () => ({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, pathStyle: true, partSize: 5 * 1024 * 1024 });

  before(async () => {
    s3 = await startS3Server();
  });
  after(async () => {
    sinon.restore();
    await s3.close();
  });
  afterEach(() => sinon.restore());

  it('creates its bucket when missing, and accepts it already being there', async () => {
    const bucket = `portside-${randomBytes(4).toString('hex')}`;
    const storage = new MinioObjectStorage({ ...options(), bucket });
    await storage.ensureBucket();
    await new MinioObjectStorage({ ...options(), bucket }).ensureBucket();
    const put = await storage.put('files/a', chunked(Buffer.from('hello')), { maxBytes: 10, contentType: 'text/plain' });
    expect(E.isRight(put)).to.equal(true);
  });

  it('aborts the multipart upload when the cap is crossed or the source fails after a part was sent', async () => {
    const bucket = `portside-${randomBytes(4).toString('hex')}`;
    const storage = new MinioObjectStorage({ ...options(), bucket });
    await storage.ensureBucket();
    const abort = sinon.spy(Client.prototype, 'abortMultipartUpload');
    const tooLarge = await storage.put('files/big', chunked(randomBytes(12 * 1024 * 1024)), { maxBytes: 11 * 1024 * 1024, contentType: 'application/pdf' });
    expect(E.isLeft(tooLarge)).to.equal(true);
    expect(abort.callCount).to.equal(1);
    expect(abort.firstCall.args.slice(0, 2)).to.deep.equal([bucket, 'files/big']);
    const failure = new Error('client hung up');
    const error = await storage.put('files/cut', cutOff(randomBytes(12 * 1024 * 1024), 6 * 1024 * 1024, failure), { maxBytes: 1e9, contentType: 'application/pdf' }).catch((e: unknown) => e);
    expect(error).to.equal(failure);
    expect(abort.callCount).to.equal(2);
    expect(await storage.stat('files/cut')).to.equal(null);
  });

  it('sends parts of the configured size, so one upload holds about one part in memory', async () => {
    const bucket = `portside-${randomBytes(4).toString('hex')}`;
    const storage = new MinioObjectStorage({ ...options(), bucket });
    await storage.ensureBucket();
    const uploadPart = sinon.spy(Client.prototype, 'uploadPart');
    const result = await storage.put('files/parts', chunked(randomBytes(12 * 1024 * 1024)), { maxBytes: 1e9, contentType: 'application/pdf' });
    expect(E.isRight(result)).to.equal(true);
    const sizes = uploadPart.getCalls().map((call) => (call.args[1] as Buffer).length);
    expect(sizes).to.have.length(3);
    expect(Math.max(...sizes)).to.be.lessThan(5 * 1024 * 1024 + 64 * 1024 + 1);
  });

  it('reports a store that accepts connections but never answers as an outage once the timeout passes', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const storage = new MinioObjectStorage({ ...options(), endpoint: `http://127.0.0.1:${port}`, bucket: 'never-answers', timeoutMs: 300 });
      const error = await storage.stat('files/x').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DependencyUnavailableError);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('serves presigned links with the file name and type the link was made for', async () => {
    const bucket = `portside-${randomBytes(4).toString('hex')}`;
    const storage = new MinioObjectStorage({ ...options(), bucket });
    await storage.ensureBucket();
    await storage.put('files/doc', chunked(Buffer.from('%PDF-1.4 hello')), { maxBytes: 1000, contentType: 'application/pdf' });
    const now = new Date();
    const url = await storage.link('files/doc', { issuedAt: now, expiresAt: new Date(now.getTime() + 60_000), filename: 'rapport été.pdf', contentType: 'application/pdf' });
    const response = await fetch(url);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-disposition')).to.equal("attachment; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.pdf");
  });

  it('presigns links for S3_PUBLIC_ENDPOINT when one is set, so a browser outside the network can follow them', async () => {
    const bucket = `portside-${randomBytes(4).toString('hex')}`;
    const { port } = new URL(s3.endpoint);
    // "localhost" is the name a browser on the host uses; s3.endpoint says 127.0.0.1, as compose's API says "minio".
    const storage = new MinioObjectStorage({ ...options(), bucket, region: 'us-east-1', publicEndpoint: `http://localhost:${port}` });
    await storage.ensureBucket();
    await storage.put('files/doc', chunked(Buffer.from('hello')), { maxBytes: 1000, contentType: 'text/plain' });
    const now = new Date();
    const link = new URL(await storage.link('files/doc', { issuedAt: now, expiresAt: new Date(now.getTime() + 60_000), filename: 'a.txt', contentType: 'text/plain' }));
    expect(link.host).to.equal(`localhost:${port}`);
    expect(link.pathname).to.equal(`/${bucket}/files/doc`);
    expect(link.searchParams.get('X-Amz-SignedHeaders')).to.equal('host');
    const response = await fetch(link);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal('hello');
    // Without it, links name the endpoint the API itself uses.
    const internal = new MinioObjectStorage({ ...options(), bucket });
    const direct = new URL(await internal.link('files/doc', { issuedAt: now, expiresAt: new Date(now.getTime() + 60_000), filename: 'a.txt', contentType: 'text/plain' }));
    expect(direct.host).to.equal(new URL(s3.endpoint).host);
  });
});
