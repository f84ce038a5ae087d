import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { route, type AnyRoute, HANDLED } from './route.js';

// The service endpoints are plain Express handlers (app.ts); these definitions document them.
const docOnly = async () => E.right(HANDLED);

const Check = t.intersection([
  t.type({ name: t.string, status: t.keyof({ up: null, down: null }), latency_ms: t.number }),
  // The database check: the newest applied migration (null on an empty database).
  t.partial({ schema_version: t.union([t.string, t.null]) }),
]);

export const serviceRouteDocs = (metrics: boolean): AnyRoute[] => [
  route({
    method: 'get', path: '/', summary: 'Service name, version and links', tags: ['service'], auth: 'none',
    responses: { 200: { description: 'About', data: t.type({ name: t.string, version: t.string, links: t.record(t.string, t.string) }) } },
    handler: docOnly,
  }),
  route({
    method: 'get', path: '/health', summary: 'Liveness', tags: ['service'], auth: 'none',
    responses: { 200: { description: 'The process is up', data: t.type({ status: t.literal('ok'), version: t.string, uptime_s: t.number }) } },
    handler: docOnly,
  }),
  route({
    method: 'get', path: '/health/ready', summary: 'Readiness: every configured dependency with its latency, and the database schema version', tags: ['service'], auth: 'none',
    responses: {
      200: { description: 'Every dependency is up', data: t.type({ status: t.literal('ok'), checks: t.array(Check) }) },
      503: {
        description: 'A dependency is down (or the server is shutting down); `detail.checks` shows every check, the failing ones `down`',
        detail: t.type({ status: t.literal('unavailable'), checks: t.array(Check) }),
      },
    },
    handler: docOnly,
  }),
  ...(metrics
    ? [
        route({
          method: 'get', path: '/metrics', summary: 'Prometheus metrics (text format)', tags: ['service'], auth: 'none',
          responses: {
            200: { description: 'Metrics', contentType: 'text/plain' },
            401: { description: 'METRICS_TOKEN is set and `Authorization: Bearer <METRICS_TOKEN>` was not sent' },
          },
          handler: docOnly,
        }),
      ]
    : []),
];
