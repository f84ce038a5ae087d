import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';
import type { Logger } from '../../core/shared/ports/logger.js';
import { sendData, sendError } from './envelope.js';
import { BAD_REQUEST, INTERNAL, RETRY_AFTER_SECONDS, UNAVAILABLE } from './error-mapper.js';
import type { Drain } from './drain.js';
import type { Metrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { mountRoutes, type AnyRoute, type RouteDeps } from './route.js';
import { serviceRouteDocs } from './service-routes.js';
import { MAX_INPUT_DEPTH } from './validation.js';

export interface ReadinessCheck {
  readonly name: string;
  /** Throws when the dependency is down; may return details shown beside its status (e.g. `schema_version`). */
  readonly check: () => Promise<void | Readonly<Record<string, unknown>>>;
}

export interface AppDeps {
  readonly name: string;
  readonly version: string;
  readonly routes: readonly AnyRoute[];
  readonly authenticate: RouteDeps['authenticate'];
  readonly logger: Logger;
  /** Runs the rest of the request inside a context carrying its id (for log lines). */
  readonly runWithRequestId: (requestId: string, next: () => void) => void;
  readonly corsOrigins: readonly string[];
  readonly jsonLimit: string | number;
  readonly rateLimit: {
    readonly perMinute: number;
    readonly authPerMinute: number;
    /** A shared store (Redis) when configured; the limiter's own memory store otherwise. */
    readonly store?: (prefix: string) => Store;
  };
  readonly readiness: readonly ReadinessCheck[];
  readonly readinessTimeoutMs?: number;
  /** Null disables `/metrics`; `token` requires `Authorization: Bearer <token>`. */
  readonly metrics: { readonly metrics: Metrics; readonly token?: string | undefined } | null;
  readonly docs: boolean;
  readonly trustProxy: boolean | number | string;
  readonly uptimeSeconds: () => number;
  /** Graceful shutdown (composition/main/server.ts); absent in tests that never stop. */
  readonly drain?: Drain;
}

export { RETRY_AFTER_SECONDS };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Constant-time comparison (of digests, so lengths do not leak either). */
const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

const requestContext = (deps: AppDeps): RequestHandler => {
  const access = deps.logger.child('http');
  return (req, res, next) => {
    const sent = req.get('x-request-id');
    const requestId = sent && REQUEST_ID.test(sent) ? sent : randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-ID', requestId);
    const started = process.hrtime.bigint();
    // X-Process-Time must be set before the headers leave, whoever sends them.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      if (!res.headersSent) res.setHeader('X-Process-Time', (Number(process.hrtime.bigint() - started) / 1e9).toFixed(6));
      return writeHead(...args);
    }) as typeof res.writeHead;
    deps.runWithRequestId(requestId, () => {
      res.on('finish', () => {
        // The route template, not the path: path segments can be secrets (a file link's token).
        const template = (req.route as { path?: unknown } | undefined)?.path;
        // The mount point as the router saw it: an error leaving the router resets req.baseUrl.
        const base = typeof res.locals['routerBase'] === 'string' ? res.locals['routerBase'] : req.baseUrl;
        const path = typeof template === 'string' ? `${base}${template}` : req.path;
        access.info(`${req.method} ${path} ${res.statusCode}`, {
          duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        });
      });
      next();
    });
  };
};

const limiter = (deps: AppDeps, name: string, perMinute: number) =>
  rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    ...(deps.rateLimit.store ? { store: deps.rateLimit.store(`rl:${name}:`) } : {}),
    handler: (_req, res) => sendError(res, { status: 429, code: 'RATE_LIMITED', message: 'Too many requests; retry after the time in Retry-After' }),
  });

const withTimeout = async <T>(check: () => Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

/** Why a check failed, from the innermost cause (a DependencyUnavailableError says only "x is unavailable"). */
const reasonOf = (error: unknown): string => {
  let e = error as { message?: unknown; cause?: unknown; code?: unknown } | undefined;
  for (let i = 0; i < 5 && e?.cause instanceof Error; i++) e = e.cause as typeof e;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(e?.code ?? error);
  return message.replace(/\s+/g, ' ').slice(0, 300);
};

const serviceEndpoints = (app: Express, deps: AppDeps, openapi: unknown): void => {
  app.get('/', (_req, res) =>
    sendData(res, 200, {
      name: deps.name,
      version: deps.version,
      links: { health: '/health', ready: '/health/ready', openapi: '/api/openapi.json', docs: '/api/docs', redoc: '/api/redoc' },
    }),
  );
  app.get('/health', (_req, res) => sendData(res, 200, { status: 'ok', version: deps.version, uptime_s: Math.round(deps.uptimeSeconds()) }));
  // Logged once per change of a check's state (and reason), not on every probe: a load balancer
  // probing every few seconds would otherwise bury the one line that says why.
  const lastState = new Map<string, string>();
  const health = deps.logger.child('health');
  const remember = (name: string, state: string, reason?: string) => {
    const previous = lastState.get(name);
    if (previous === state) return;
    lastState.set(name, state);
    if (state !== 'up') health.warn(`readiness: ${name} down: ${reason ?? 'unknown reason'}`);
    else if (previous !== undefined) health.info(`readiness: ${name} up again`);
  };
  app.get('/health/ready', async (_req, res) => {
    const timeout = deps.readinessTimeoutMs ?? 2000;
    const checks = await Promise.all(
      deps.readiness.map(async ({ name, check }) => {
        const started = performance.now();
        try {
          const details = await withTimeout(check, timeout);
          remember(name, 'up');
          return { name, status: 'up', latency_ms: Math.round((performance.now() - started) * 100) / 100, ...(details ?? {}) };
        } catch (error) {
          const reason = reasonOf(error);
          remember(name, `down: ${reason}`, reason);
          return { name, status: 'down', latency_ms: Math.round((performance.now() - started) * 100) / 100 };
        }
      }),
    );
    const down = checks.filter((c) => c.status === 'down').map((c) => c.name);
    if (down.length > 0) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      sendError(res, { status: 503, code: 'SERVICE_UNAVAILABLE', message: `Not ready: ${down.join(', ')} down`, detail: { status: 'unavailable', checks } });
      return;
    }
    sendData(res, 200, { status: 'ok', checks });
  });
  if (deps.metrics) {
    const { metrics, token } = deps.metrics;
    app.get('/metrics', async (req, res) => {
      if (token && !sameSecret(req.get('authorization') ?? '', `Bearer ${token}`)) {
        sendError(res, { status: 401, code: 'UNAUTHENTICATED', message: 'Metrics need the configured token' });
        return;
      }
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    });
  }
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  if (deps.docs) docsPages(app);
};

const require = createRequire(import.meta.url);

/** Swagger UI and ReDoc from their npm packages: no CDN, so they work offline and under a strict CSP. */
const docsPages = (app: Express): void => {
  const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');
  app.get('/api/docs', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portside API</title>
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`);
  });
  app.get('/api/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(
      // validatorUrl: null, or Swagger UI loads a badge from validator.swagger.io on any non-localhost host.
      `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true, deepLinking: true, validatorUrl: null });`,
    );
  });
  app.use('/api/docs/assets', express.static(swaggerDir, { index: false, maxAge: '1d' }));
  app.get('/api/redoc', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portside API reference</title>
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png"></head>
<body><redoc spec-url="/api/openapi.json"></redoc>
<script src="/api/redoc/redoc.standalone.js"></script></body></html>`);
  });
  app.get('/api/redoc/redoc.standalone.js', (_req, res) => res.sendFile(redocBundle));
};

/** Path segments that are credentials: a file link's token (`/api/v1/files/links/<token>`). */
const SECRET_SEGMENT = /(\/links\/)[^/]+/g;

/**
 * The full path of a failed request, for its error line: unlike the access line (which logs the
 * route template), it names the resource, so the failure can be reproduced; credential segments
 * are replaced and the query string is left out (it may carry anything).
 */
export const loggablePath = (originalUrl: string): string => originalUrl.split('?')[0]!.replace(SECRET_SEGMENT, '$1[REDACTED]');

const errorHandler = (deps: AppDeps): ErrorRequestHandler => (error: unknown, req, res, _next) => {
  const e = error as { type?: string; status?: number; expose?: boolean; message?: string };
  if (e?.type === 'entity.too.large') return sendError(res, { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' });
  if (e?.type === 'entity.parse.failed') return sendError(res, BAD_REQUEST('Malformed JSON body'));
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return sendError(res, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported body encoding' });
  }
  if (e?.type === 'request.aborted') return undefined;
  if (error instanceof DependencyUnavailableError) {
    deps.logger.child('http').error(`${req.method} ${loggablePath(req.originalUrl)}: ${error.message}`, { cause: String((error.cause as Error | undefined)?.message ?? '') });
    if (!res.headersSent) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    return sendError(res, UNAVAILABLE(error.dependency));
  }
  // A client's fault that the library did not mark as safe to show (e.g. the router's URIError for `%ZZ` in a path) is
  // still a 400, only with a generic message.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return sendError(res, BAD_REQUEST(e.expose ? (e.message ?? 'Bad request') : 'Malformed request'));
  }
  deps.logger.child('http').error(`unhandled error on ${req.method} ${loggablePath(req.originalUrl)}`, { error });
  return sendError(res, INTERNAL());
};

/** The Express driving adapter: the contract's middleware chain, the API routes and the service endpoints. */
export const createApp = (deps: AppDeps): Express => {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.set('query parser', 'simple');

  app.use(requestContext(deps));
  if (deps.drain) app.use(deps.drain.middleware);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          workerSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'"],
          // The server speaks plain HTTP unless a proxy adds TLS: upgrading would break the docs' own assets.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  const origins = new Set(deps.corsOrigins);
  // The answer depends on Origin whether or not it is allowed: tell shared caches so.
  app.use((_req, res, next) => {
    res.vary('Origin');
    next();
  });
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && origins.has(origin)),
      credentials: true,
      exposedHeaders: [
        'X-Request-ID', 'X-Process-Time', 'ETag', 'Location', 'Retry-After', 'RateLimit-Policy', 'RateLimit-Limit', 'RateLimit-Remaining',
        'RateLimit-Reset', 'Content-Disposition', 'Content-Range', 'Accept-Ranges', 'Idempotent-Replayed', 'WWW-Authenticate',
      ],
      maxAge: 600,
    }),
  );
  if (deps.metrics) app.use(deps.metrics.metrics.middleware);

  const routeDeps: RouteDeps = { authenticate: deps.authenticate, jsonLimit: deps.jsonLimit };
  const openapi = buildOpenApi(
    { title: deps.name, version: deps.version, description:
        'Portside REST API. Every JSON response uses the envelope described in docs/api.md. No field accepts NUL (U+0000) or ' +
        `unpaired surrogates, a JSON body nests at most ${MAX_INPUT_DEPTH} levels of arrays and objects, and an empty query parameter (\`q=\`) counts as absent.`,
    },
    deps.routes,
    serviceRouteDocs(deps.metrics !== null),
  );
  // The document this app serves, for whoever holds the app (the tests hold every response to it).
  app.locals['openapi'] = openapi;
  serviceEndpoints(app, deps, openapi);

  const api = express.Router();
  api.use((req, res, next) => {
    res.locals['routerBase'] = req.baseUrl;
    next();
  });
  mountRoutes(api, deps.routes, routeDeps);
  // The stricter auth limiter runs last so that its RateLimit-* headers, the ones a client will hit first, are the ones it sees.
  app.use('/api', limiter(deps, 'all', deps.rateLimit.perMinute));
  app.use('/api/v1/auth', limiter(deps, 'auth', deps.rateLimit.authPerMinute));
  app.use('/api/v1', api);

  app.use((req, res) => sendError(res, { status: 404, code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` }));
  app.use(errorHandler(deps));
  return app;
};
