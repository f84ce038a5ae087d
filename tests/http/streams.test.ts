import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import sinon from 'sinon';
import { aPng } from '../support/file-samples.js';
import { filesApp } from './files-app.js';

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
        expect((await h.files.listByOwner(actor('alice').userId, { page: 1, size: 1 })).total).to.equal(0);
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
});
