import * as E from 'fp-ts/lib/Either.js';
import { createApp, type AppDeps } from '../../adapters/http/app.js';
import type { AnyRoute } from '../../adapters/http/route.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { unauthenticated } from '../../core/shared/entities/errors.js';
import type { Logger } from '../../core/shared/ports/logger.js';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

/** Bearer tokens that are plain names mapped to actors: for tests where identity is not the point. */
export const namedActors =
  (actors: ReadonlyMap<string, Actor>): AppDeps['authenticate'] =>
  async (token) => {
    const actor = actors.get(token);
    return actor ? E.right(actor) : E.left(unauthenticated('Invalid token'));
  };

/** The real Express app around the given routes, with quiet, permissive defaults a test can override. */
export const routesApp = (routes: readonly AnyRoute[], deps: Partial<AppDeps> & Pick<AppDeps, 'authenticate'>) =>
  createApp({
    name: 'Portside test',
    version: '0.0.0',
    routes,
    logger: silentLogger,
    runWithRequestId: (_id, next) => next(),
    corsOrigins: [],
    jsonLimit: 256 * 1024,
    rateLimit: { perMinute: 1_000_000, authPerMinute: 1_000_000 },
    readiness: [],
    metrics: null,
    docs: false,
    trustProxy: false,
    uptimeSeconds: () => 1,
    ...deps,
  });
