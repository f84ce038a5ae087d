import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { createDrain } from '../../adapters/http/drain.js';

/** The HTTP side of graceful shutdown, driven step by step with a request held open by a deferred promise. */
describe('createDrain (graceful shutdown of HTTP requests)', () => {
  it('lets the in-flight request finish with Connection: close, answers new ones 503, and resolves idle() after the last', async () => {
    const drain = createDrain(2);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const app = express();
    app.use(drain.middleware);
    app.get('/slow', async (_req, res) => {
      arrived();
      await held;
      res.json({ code: 200, message: 'success', data: 'done' });
    });
    app.get('/fast', (_req, res) => res.json({ code: 200, message: 'success', data: 'fast' }));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true });
    const get = (path: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        }).on('error', reject);
      });
    try {
      const slow = get('/slow');
      await arrival;
      expect(drain.inFlight()).to.equal(1);
      let idle = false;
      const idled = drain.idle().then(() => (idle = true));
      drain.start();

      const refused = await get('/fast');
      expect(refused.status).to.equal(503);
      expect(refused.headers['retry-after']).to.equal('2');
      expect(refused.headers['connection']).to.equal('close');
      expect(JSON.parse(refused.body)).to.include({ code: 503, error: 'SERVICE_UNAVAILABLE' });
      expect(idle).to.equal(false);

      release();
      const finished = await slow;
      expect(finished.status).to.equal(200);
      expect(finished.headers['connection']).to.equal('close');
      await idled;
      expect(drain.inFlight()).to.equal(0);
    } finally {
      agent.destroy();
      server.closeAllConnections();
      server.close();
    }
  });
});
