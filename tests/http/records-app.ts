import * as E from 'fp-ts/lib/Either.js';
import { createApp } from '../../adapters/http/app.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { recordRoutes } from '../../adapters/http/routes/records.js';
import type { Actor } from '../../core/shared/actor.js';
import { unauthenticated } from '../../core/shared/errors.js';
import type { Logger } from '../../core/shared/logger.js';
import { anActor, recordsHarness } from '../core/records/records-harness.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/**
 * The records routes behind the real Express app on memory adapters. Bearer tokens are plain
 * names mapped to actors: identity is not what these tests are about.
 */
export const recordsApp = () => {
  const h = recordsHarness();
  const actors = new Map<string, Actor>([
    ['alice', anActor()],
    ['bob', anActor()],
    ['admin', anActor({ isAdmin: true })],
  ]);
  const app = createApp({
    name: 'Portside test',
    version: '0.0.0',
    routes: recordRoutes(
      { create: h.create, list: h.list, get: h.get, update: h.update, remove: h.remove },
      { store: new MemoryIdempotencyStore(), clock: h.clock },
    ),
    authenticate: async (token) => {
      const actor = actors.get(token);
      return actor ? E.right(actor) : E.left(unauthenticated('Invalid token'));
    },
    logger: silent,
    runWithRequestId: (_id, next) => next(),
    corsOrigins: [],
    jsonLimit: 256 * 1024,
    rateLimit: { perMinute: 1_000_000, authPerMinute: 1_000_000 },
    readiness: [],
    metrics: null,
    docs: false,
    trustProxy: false,
    uptimeSeconds: () => 1,
  });
  return { app, h, actor: (name: 'alice' | 'bob' | 'admin') => actors.get(name)! };
};
