import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { right } from '../support/builders.js';
import { aPng } from '../support/file-samples.js';
import { filesApp } from './files-app.js';
import { identityClient, type IdentityClient } from './identity-client.js';

const auth = (name: string) => ({ Authorization: `Bearer ${name}` });

interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

/** Sends a raw body over a real socket and reads the answer (or null when the socket is cut). */
const raw = (port: number, headers: Record<string, string>, body: Buffer | string): Promise<RawAnswer | null> =>
  new Promise((resolve) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/v1/files', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.end(body);
  });

/** `ended` settles once the server has read a request's whole body. */
const withServer = async (app: http.RequestListener, run: (port: number, ended: () => Promise<void>) => Promise<void>) => {
  let ended: Promise<void> = Promise.resolve();
  const server = http.createServer((req, res) => {
    ended = new Promise((resolve) => req.once('end', () => setImmediate(resolve)));
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run((server.address() as AddressInfo).port, () => ended);
  } finally {
    server.closeAllConnections();
    server.close();
  }
};

describe('HTTP streams: an error on any stream is an answer, never a crash', function () {
  this.timeout(20_000);
  afterEach(() => sinon.restore());

  const part = (filename: string, type: string) =>
    `--B\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  const multipart = { ...auth('alice'), 'Content-Type': 'multipart/form-data; boundary=B' };

  for (const [label, content, slowDatabase] of [
    ['a few bytes', Buffer.from('hello'), false],
    // The database answers after busboy has failed the part: nobody is reading the stream yet.
    ['a few bytes, slow database', Buffer.from('hello'), true],
    ['20 KB', Buffer.alloc(20 * 1024, 'a'), false],
    ['200 KB of PNG', aPng(200 * 1024), false],
  ] as const) {
    it(`answers 422 to a multipart body cut before its closing boundary (${label}), keeping nothing`, async () => {
      const { app, h, actor } = filesApp({ allowedTypes: ['text/plain', 'image/png'] });
      await withServer(app, async (port, ended) => {
        if (slowDatabase) {
          const total = h.files.totalBytesByOwner.bind(h.files);
          sinon.stub(h.files, 'totalBytesByOwner').callsFake(async (owner) => {
            await ended();
            return total(owner);
          });
        }
        const answer = await raw(port, multipart, Buffer.concat([Buffer.from(part('a.txt', label.includes('PNG') ? 'image/png' : 'text/plain')), content]));
        expect(answer?.status).to.equal(422);
        expect(JSON.parse(answer!.body)).to.include({ error: 'VALIDATION_ERROR' });
        expect(h.storage.keys()).to.deep.equal([]);
        expect(right(await h.files.listByOwner(actor('alice').userId, { page: 1, size: 1 })).total).to.equal(0);
        expect(h.events.all()).to.have.length(0);
        sinon.restore();
        // The server is still there.
        const ok = await raw(port, multipart, Buffer.concat([Buffer.from(part('b.png', 'image/png')), aPng(1000), Buffer.from('\r\n--B--\r\n')]));
        expect(ok?.status).to.equal(201);
      });
    });
  }

  it('answers 422 when the file part is whole but the form after it is cut, keeping nothing', async () => {
    const { app, h } = filesApp();
    await withServer(app, async (port) => {
      const body = Buffer.concat([Buffer.from(part('a.png', 'image/png')), aPng(5000), Buffer.from('\r\n--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nabc')]);
      expect((await raw(port, multipart, body))?.status).to.equal(422);
      expect(h.storage.keys()).to.deep.equal([]);
      expect(h.events.all()).to.have.length(0);
    });
  });

  it('answers 422 to a retry whose form never closes under a used Idempotency-Key, not a key clash', async () => {
    const { app, h } = filesApp();
    await withServer(app, async (port) => {
      const headers = { ...multipart, 'Idempotency-Key': 'k-cut' };
      const png = aPng(5000);
      expect((await raw(port, headers, Buffer.concat([Buffer.from(part('a.png', 'image/png')), png, Buffer.from('\r\n--B--\r\n')])))?.status).to.equal(201);
      // As long as the first, so the claim matches and the replay reads the body to compare it.
      const cut = await raw(port, headers, Buffer.concat([Buffer.from(part('a.png', 'image/png')), png, Buffer.from('\r\n--X--\r\n')]));
      expect(cut?.status).to.equal(422);
      expect(JSON.parse(cut!.body).detail).to.deep.equal([{ field: 'file', message: 'the multipart body is malformed or ended before its closing boundary' }]);
      expect(h.storage.keys()).to.have.length(1);
    });
  });

  it('answers 422 at once to a part header busboy cannot parse, while the client is still sending', async () => {
    const { app, h } = filesApp();
    await withServer(app, async (port) => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/v1/files', headers: { ...multipart, 'Transfer-Encoding': 'chunked' } });
        req.on('response', (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', reject);
        // A whole file part, then a part whose header line has no colon; the body never ends.
        req.write(Buffer.concat([Buffer.from(part('a.png', 'image/png')), aPng(5000), Buffer.from('\r\n--B\r\nno colon in this header\r\n\r\nx')]));
      });
      expect(status).to.equal(422);
      expect(h.storage.keys()).to.deep.equal([]);
    });
  });

  /** A store stream that yields `good` chunks, then fails. */
  const failingBody = (good: number) =>
    Readable.from(
      (async function* () {
        for (let i = 0; i < good; i++) yield Buffer.alloc(64 * 1024, 1);
        throw new Error('the store went away');
      })(),
    );

  const download = (port: number, id: string): Promise<{ status: number; complete: boolean; body: string }> =>
    new Promise((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', path: `/api/v1/files/${id}/content`, headers: auth('alice') }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const done = () => resolve({ status: res.statusCode ?? 0, complete: res.complete, body: Buffer.concat(chunks).toString() });
        res.on('end', done);
        res.on('error', done);
      });
      req.on('error', () => resolve({ status: 0, complete: false, body: '' }));
    });

  it('answers 503 with the envelope when the store fails before the first byte of a download', async () => {
    const { app, h, actor } = filesApp();
    const file = await h.aFile(actor('alice'), aPng(5000));
    sinon.stub(h.storage, 'get').resolves({ body: failingBody(0), size: 5000, range: null });
    await withServer(app, async (port) => {
      const answer = await download(port, file.id);
      expect(answer.status).to.equal(503);
      expect(JSON.parse(answer.body)).to.include({ error: 'SERVICE_UNAVAILABLE' });
    });
  });

  it('cuts the connection when the store fails mid-download, and keeps serving', async () => {
    const { app, h, actor } = filesApp();
    const file = await h.aFile(actor('alice'), aPng(5000));
    const get = sinon.stub(h.storage, 'get').resolves({ body: failingBody(2), size: 10 * 64 * 1024, range: null });
    await withServer(app, async (port) => {
      const answer = await download(port, file.id);
      expect(answer).to.include({ status: 200, complete: false });
      get.restore();
      expect((await download(port, file.id)).status).to.equal(200);
    });
  });

  it('releases the store stream when the client leaves mid-download', async () => {
    const { app, h, actor } = filesApp({ maxBytes: 8 * 1024 * 1024 });
    const file = await h.aFile(actor('alice'), aPng(4 * 1024 * 1024));
    const get = h.storage.get.bind(h.storage);
    const opened = new Promise<Readable>((resolve) => {
      sinon.stub(h.storage, 'get').callsFake(async (...args) => {
        const content = (await get(...args))!;
        // A store stream that never ends by itself: only the server can release it.
        const body = new PassThrough();
        body.write(Buffer.alloc(1024 * 1024));
        resolve(body);
        return { ...content, body };
      });
    });
    await withServer(app, async (port) => {
      const req = http.get({ port, host: '127.0.0.1', path: `/api/v1/files/${file.id}/content`, headers: auth('alice') }, (res) => {
        res.once('data', () => req.destroy());
      });
      req.on('error', () => undefined);
      const body = await opened;
      await once(body, 'close');
      expect(body.destroyed).to.equal(true);
    });
  });
});

describe('HTTP streams on the composed app with local-disk storage', function () {
  this.timeout(30_000);
  let c: IdentityClient;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'portside-streams-'));
    c = await identityClient({ OBJECT_STORAGE: 'local-disk', DATA_DIR: dir });
  });
  after(async () => {
    await c?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every file under the data directory's object store, partial uploads included. */
  const filesUnder = async (root: string): Promise<string[]> =>
    (await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => e.name);

  it('answers 422 to truncated uploads and leaves no object, no partial file and no metadata', async () => {
    const { tokens } = await c.aUser();
    const headers = { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'multipart/form-data; boundary=B' };
    const head = '--B\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n';
    await withServer(c.app, async (port) => {
      const before = await filesUnder(dir);
      for (const content of [Buffer.from('hello'), aPng(20 * 1024), aPng(300 * 1024)]) {
        const answer = await raw(port, headers, Buffer.concat([Buffer.from(head), content]));
        expect(answer?.status).to.equal(422);
      }
      expect(await filesUnder(dir)).to.deep.equal(before);
      const list = await request(c.app).get('/api/v1/files').set('Authorization', `Bearer ${tokens.access_token}`).expect(200);
      expect(list.body.data.items).to.have.length(0);
      // The same upload with its closing boundary is stored where the check above looked.
      expect((await raw(port, headers, Buffer.concat([Buffer.from(head), aPng(20 * 1024), Buffer.from('\r\n--B--\r\n')])))?.status).to.equal(201);
      expect((await filesUnder(dir)).length).to.be.greaterThan(before.length);
    });
  });
});
