import { fileRoutes, type FileRouteOptions } from '../../adapters/http/routes/files.js';
import type { FilePolicy } from '../../core/files/entities/file-policy.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { namedActors, routesApp } from '../support/routes-app.js';
import { anActor, filesHarness } from '../core/files/files-harness.js';

/**
 * The files routes behind the real Express app on memory adapters. Bearer tokens are plain names
 * mapped to actors: identity is not what these tests are about.
 */
export const filesApp = (policy: Partial<FilePolicy> = {}, routeOptions: Partial<FileRouteOptions> = {}) => {
  const h = filesHarness(policy);
  const actors = new Map<string, Actor>([
    ['alice', anActor()],
    ['bob', anActor()],
    ['admin', anActor({ isAdmin: true })],
  ]);
  const routes = fileRoutes(
    { upload: h.upload, list: h.list, get: h.get, download: h.download, link: h.link, openLink: h.openLink, remove: h.remove },
    { maxBytes: h.policy.maxBytes, idempotency: { store: h.idempotency, clock: h.clock }, ...routeOptions },
  );
  const app = routesApp(routes, { authenticate: namedActors(actors) });
  return { app, h, actor: (name: 'alice' | 'bob' | 'admin') => actors.get(name)! };
};
