import { recordRoutes } from '../../adapters/http/routes/records.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { namedActors, routesApp } from '../support/routes-app.js';
import { anActor, recordsHarness } from '../core/records/records-harness.js';

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
  const routes = recordRoutes(
    { create: h.create, list: h.list, get: h.get, update: h.update, remove: h.remove },
    { store: h.idempotency, clock: h.clock },
  );
  const app = routesApp(routes, { authenticate: namedActors(actors) });
  return { app, h, actor: (name: 'alice' | 'bob' | 'admin') => actors.get(name)! };
};
