import { expect } from 'chai';
import express from 'express';
import { rateLimit, MemoryStore, type Store } from 'express-rate-limit';
import request from 'supertest';
import { FallbackRateLimitStore, StoreOutageLog } from '../../adapters/http/fallback-rate-limit-store.js';
import type { Logger } from '../../core/shared/ports/logger.js';

/** A shared store that can be switched off, as Redis is when its client is offline. */
class SwitchableStore implements Store {
  readonly localKeys = false;
  readonly prefix = 'shared:';
  up = true;
  private readonly inner = new MemoryStore();
  init(options: Parameters<NonNullable<Store['init']>>[0]) {
    this.inner.init(options);
  }
  private check() {
    if (!this.up) throw new Error('The client is offline');
  }
  async increment(key: string) {
    this.check();
    return this.inner.increment(key);
  }
  async decrement(key: string) {
    this.check();
    return this.inner.decrement(key);
  }
  async resetKey(key: string) {
    this.check();
    return this.inner.resetKey(key);
  }
}

const recordingLogger = () => {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    child: () => logger,
  };
  return { logger, lines };
};

describe('FallbackRateLimitStore (request limits while Redis is down)', () => {
  const build = (limit: number) => {
    const shared = new SwitchableStore();
    const { logger, lines } = recordingLogger();
    const outage = new StoreOutageLog(logger, 'Redis');
    const app = express();
    // Two limiters on one outage log, as the API has (all routes, and auth).
    app.use(rateLimit({ windowMs: 60_000, limit: 1000, store: new FallbackRateLimitStore(shared, outage), validate: false }));
    app.use(rateLimit({ windowMs: 60_000, limit, store: new FallbackRateLimitStore(new SwitchableStoreProxy(shared), outage), validate: false }));
    app.get('/', (_req, res) => res.send('ok'));
    return { app, shared, lines };
  };

  it('keeps answering with a per-process limit while the shared store fails, logging the outage once and the recovery once', async () => {
    const { app, shared, lines } = build(3);
    await request(app).get('/').expect(200);
    shared.up = false;
    // One request already counted in the shared store; the memory count starts afresh.
    for (let i = 0; i < 3; i++) await request(app).get('/').expect(200);
    await request(app).get('/').expect(429);
    await request(app).get('/').expect(429);
    expect(lines.filter((l) => l.startsWith('warn'))).to.have.length(1);
    shared.up = true;
    // Back on the shared store, which counted one request.
    await request(app).get('/').expect(200);
    await request(app).get('/').expect(200);
    await request(app).get('/').expect(429);
    expect(lines).to.have.length(2);
    expect(lines[1]).to.match(/^info Redis is back/);
  });
});

/** The same backing counters under another prefix (a second limiter on the same Redis). */
class SwitchableStoreProxy implements Store {
  readonly localKeys = false;
  readonly prefix = 'shared2:';
  private readonly inner = new MemoryStore();
  constructor(private readonly switchOf: SwitchableStore) {}
  init(options: Parameters<NonNullable<Store['init']>>[0]) {
    this.inner.init(options);
  }
  private check() {
    if (!this.switchOf.up) throw new Error('The client is offline');
  }
  async increment(key: string) {
    this.check();
    return this.inner.increment(key);
  }
  async decrement(key: string) {
    this.check();
    return this.inner.decrement(key);
  }
  async resetKey(key: string) {
    this.check();
    return this.inner.resetKey(key);
  }
}
