import * as E from 'fp-ts/lib/Either.js';
import { createApp } from '../../adapters/http/app.js';
import { fileRoutes } from '../../adapters/http/routes/files.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import type { FilePolicy } from '../../core/files/file-policy.js';
import type { Actor } from '../../core/shared/actor.js';
import { unauthenticated } from '../../core/shared/errors.js';
import type { Logger } from '../../core/shared/logger.js';
import { anActor, filesHarness } from '../core/files/files-harness.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/**
 * The files routes behind the real Express app on memory adapters. Bearer tokens are plain names
 * mapped to actors: identity is not what these tests are about.
 */
export const filesApp = (policy: Partial<FilePolicy> = {}) => {
  const h = filesHarness(policy);
  const actors = new Map<string, Actor>([
    ['alice', anActor()],
    ['bob', anActor()],
    ['admin', anActor({ isAdmin: true })],
  ]);
  const app = createApp({
    name: 'Portside test',
    version: '0.0.0',
    routes: fileRoutes(
      { upload: h.upload, list: h.list, get: h.get, download: h.download, link: h.link, openLink: h.openLink, remove: h.remove },
      { maxBytes: h.policy.maxBytes, idempotency: { store: new MemoryIdempotencyStore(), clock: h.clock } },
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
