import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('service endpoints of the composed app (memory profile)', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  it('reports the package version on / and /health, whoever started the process', async () => {
    const root = await request(t.app).get('/').expect(200);
    expect(root.body.data).to.include({ name: 'Portside', version: pkg.version });
    const health = await request(t.app).get('/health').expect(200);
    expect(health.body.data).to.include({ status: 'ok', version: pkg.version });
  });

  it('is ready on the memory profile, which has no external dependency to check', async () => {
    const ready = await request(t.app).get('/health/ready').expect(200);
    expect(ready.body.data).to.deep.equal({ status: 'ok', checks: [] });
  });
});
