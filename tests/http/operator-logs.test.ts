import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import request from 'supertest';
import { DependencyUnavailableError, unauthenticated } from '../../core/shared/entities/errors.js';
import type { Logger } from '../../core/shared/ports/logger.js';
import { route } from '../../adapters/http/route.js';
import { loggablePath } from '../../adapters/http/app.js';
import { routesApp } from '../support/routes-app.js';

/** What an operator reads in the logs when a request fails or a dependency goes down (issue #16). */
const recorder = () => {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug: (message, fields) => void lines.push({ level: 'debug', message, fields }),
    info: (message, fields) => void lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => void lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => void lines.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  return { lines, logger };
};

const routes = [
  route({
    method: 'get', path: '/things/:id/parts', summary: 'bug', tags: ['test'], auth: 'none',
    responses: { 200: { description: 'ok' } },
    handler: async () => {
      throw new Error('bug');
    },
  }),
  route({
    method: 'get', path: '/files/links/:token', summary: 'capability link', tags: ['test'], auth: 'none',
    responses: { 200: { description: 'ok' } },
    handler: async () => {
      throw new DependencyUnavailableError('object storage');
    },
  }),
];
const authenticate = async () => E.left(unauthenticated('no'));

describe('operator-facing log lines', () => {
  it("a 500's error line names the full path (not the route template), without the query string", async () => {
    const { lines, logger } = recorder();
    const res = await request(routesApp(routes, { authenticate, logger })).get('/api/v1/things/01J9ZX/parts?secret=1');
    expect(res.status).to.equal(500);
    const errors = lines.filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors).to.deep.equal(['unhandled error on GET /api/v1/things/01J9ZX/parts']);
    // The access line keeps the template (file-link tokens are credentials).
    expect(lines.map((l) => l.message), JSON.stringify(lines)).to.include('GET /api/v1/things/:id/parts 500');
  });

  it("an outage's error line shows the path with a file link's token redacted", async () => {
    const { lines, logger } = recorder();
    const res = await request(routesApp(routes, { authenticate, logger })).get('/api/v1/files/links/tok.en-secret');
    expect(res.status).to.equal(503);
    const text = JSON.stringify(lines);
    expect(text).not.to.contain('tok.en-secret');
    expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal(['GET /api/v1/files/links/[REDACTED]: object storage is unavailable']);
    expect(loggablePath('/api/v1/files/links/abc?x=1')).to.equal('/api/v1/files/links/[REDACTED]');
  });

  it('readiness logs a failure once with its reason, not on every probe, and logs the recovery', async () => {
    const { lines, logger } = recorder();
    let failure: Error | null = new DependencyUnavailableError('database', { cause: new Error('connect ECONNREFUSED 10.0.0.5:5432') });
    const app = routesApp([], {
      authenticate,
      logger,
      readiness: [
        {
          name: 'database',
          check: async () => {
            if (failure) throw failure;
            return { schema_version: '0007-users-active-admins' };
          },
        },
      ],
    });
    for (let i = 0; i < 3; i++) expect((await request(app).get('/health/ready')).status).to.equal(503);
    failure = new Error('password authentication failed');
    expect((await request(app).get('/health/ready')).status).to.equal(503);
    failure = null;
    const up = await request(app).get('/health/ready');
    expect(up.status).to.equal(200);
    expect(up.body.data.checks[0]).to.include({ name: 'database', status: 'up', schema_version: '0007-users-active-admins' });
    await request(app).get('/health/ready');
    const health = lines.filter((l) => l.message.startsWith('readiness'));
    expect(health.map((l) => `${l.level} ${l.message}`)).to.deep.equal([
      'warn readiness: database down: connect ECONNREFUSED 10.0.0.5:5432',
      'warn readiness: database down: password authentication failed',
      'info readiness: database up again',
    ]);
  });
});
