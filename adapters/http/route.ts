import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { Actor } from '../../core/shared/entities/actor.js';
import { forbidden, unauthenticated, type DomainError } from '../../core/shared/entities/errors.js';
import { sendData, sendError } from './envelope.js';
import { toHttpError } from './error-mapper.js';
import { strictObject } from './codecs.js';
import { decodeInput } from './validation.js';

/**
 * Routes are declared, not hand-wired: one definition gives Express its handler and the OpenAPI
 * document its operation, from the same io-ts codecs, so the docs cannot drift from validation.
 */
export type AuthMode = 'none' | 'bearer' | 'admin';
export type BodyKind = 'json' | 'form' | 'multipart';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Codec<A> = t.Type<A, unknown, unknown>;

/** A header a response carries on purpose (ETag, Location...), declared on that response in the OpenAPI document. */
export interface ResponseHeaderDoc {
  readonly description: string;
  /** Always sent with this response (the conformance check in the tests insists). */
  readonly required?: boolean;
  /** The value's codec (any string when absent). */
  readonly schema?: t.Mixed;
}

export interface ResponseDoc {
  readonly description: string;
  /** The envelope's `data` for JSON responses. */
  readonly data?: t.Mixed;
  /** An error's `detail`, when it is not the 422's list of field issues. */
  readonly detail?: t.Mixed;
  /**
   * A non-JSON response body: its media type (`text/calendar`), or `*\/*` for bytes served with
   * the type they were stored with (then say which in `description`).
   */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, ResponseHeaderDoc>>;
}

export interface HeaderDoc {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** The codec the value is checked with (its schema is the parameter's); any string when absent. */
  readonly schema?: t.Mixed;
}

export interface RequestInfo {
  readonly requestId: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export interface HandlerContext<P, Q, B, A extends AuthMode> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly actor: A extends 'none' ? Actor | null : Actor;
  readonly request: RequestInfo;
  readonly req: Request;
  readonly res: Response;
}

/** A JSON reply in the envelope, or HANDLED when the handler wrote the response itself (streams). */
export type Reply = { readonly status: number; readonly data?: unknown; readonly headers?: Readonly<Record<string, string>> } | typeof HANDLED;
export const HANDLED = Symbol('handled');

export const ok = (data: unknown, headers?: Readonly<Record<string, string>>): Reply => ({ status: 200, data, ...(headers ? { headers } : {}) });
export const created = (data: unknown, headers?: Readonly<Record<string, string>>): Reply => ({ status: 201, data, ...(headers ? { headers } : {}) });
export const noContent = (): Reply => ({ status: 204 });

export interface RouteDef<P, Q, B, A extends AuthMode> {
  readonly method: Method;
  /** Relative to `/api/v1`, Express style: `/records/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly auth: A;
  readonly params?: Codec<P>;
  readonly query?: Codec<Q>;
  readonly body?: Codec<B>;
  /** Default `json` when `body` is set. `multipart` leaves the stream to the handler. */
  readonly bodyKind?: BodyKind;
  readonly headers?: readonly HeaderDoc[];
  readonly responses: { readonly [status: number]: ResponseDoc };
  readonly handler: (ctx: HandlerContext<P, Q, B, A>) => Promise<E.Either<DomainError, Reply>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any, AuthMode>;

/** Declares a route; the type parameters are inferred from the codecs. */
export const route = <P = undefined, Q = undefined, B = undefined, A extends AuthMode = 'none'>(def: RouteDef<P, Q, B, A>): AnyRoute =>
  def as AnyRoute;

export interface RouteDeps {
  /** Verifies a bearer token and its session; Left(Unauthenticated) when it does not hold. */
  readonly authenticate: (token: string) => Promise<E.Either<DomainError, Actor>>;
  readonly jsonLimit: string | number;
}

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

const bearerOf = (req: Request): string | null => {
  const header = req.headers.authorization;
  // Other schemes are not ours to judge: Swagger UI's OAuth2 password flow sends its client id as Basic to /auth/token.
  if (!header || !/^Bearer(\s|$)/i.test(header)) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
};

const authenticate = async (deps: RouteDeps, req: Request, mode: AuthMode): Promise<E.Either<DomainError, Actor | null>> => {
  const token = bearerOf(req);
  if (token === null) return mode === 'none' ? E.right(null) : E.left(unauthenticated('Missing bearer token'));
  if (token === '') return E.left(unauthenticated('Malformed Authorization header'));
  const actor = await deps.authenticate(token);
  if (E.isLeft(actor)) return actor;
  if (mode === 'admin' && !actor.right.isAdmin) return E.left(forbidden('Administrator only'));
  return actor;
};

/**
 * A route that declares no body still refuses one with fields in it (unknown fields are a 422,
 * never silently ignored); an empty body or `{}` passes.
 */
const NO_BODY = strictObject('NoBody', {}, {});

const bodyCodecOf = (def: AnyRoute): t.Decoder<unknown, unknown> | undefined =>
  def.bodyKind === 'multipart' ? undefined : (def.body ?? (def.method === 'get' ? undefined : NO_BODY));

/**
 * How the route reads a body: `json` or `form` through a parser (so 400, 413 and 415 can come from
 * it), `empty` for a route that declares none but still refuses fields (JSON, an empty object
 * passes), `stream` for multipart (the handler reads it), `none` for GET routes.
 */
export const bodyHandlingOf = (def: AnyRoute): 'json' | 'form' | 'empty' | 'stream' | 'none' =>
  def.bodyKind === 'multipart' ? 'stream' : def.bodyKind === 'form' ? 'form' : def.body ? 'json' : bodyCodecOf(def) ? 'empty' : 'none';

/** Authentication runs before any body is read: an anonymous caller costs no parsing and gets its 401. */
const authentication = (def: AnyRoute, deps: RouteDeps): RequestHandler =>
  async (req, res, next) => {
    try {
      const actor = await authenticate(deps, req, def.auth);
      if (E.isLeft(actor)) {
        if (actor.left._tag === 'Unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer');
        sendError(res, toHttpError(actor.left));
        return;
      }
      res.locals['actor'] = actor.right;
      next();
    } catch (error) {
      next(error);
    }
  };

const bodyParsers = (def: AnyRoute, deps: RouteDeps): RequestHandler[] => {
  if (!bodyCodecOf(def)) return [];
  if (def.bodyKind === 'form') {
    return [
      (req, res, next) => {
        if (hasBody(req) && !req.is('application/x-www-form-urlencoded')) {
          sendError(res, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send application/x-www-form-urlencoded' });
          return;
        }
        next();
      },
      express.urlencoded({ extended: false, limit: deps.jsonLimit }),
    ];
  }
  return [
    (req, res, next) => {
      if (hasBody(req) && !req.is('application/json') && !req.is('application/*+json')) {
        sendError(res, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send application/json' });
        return;
      }
      next();
    },
    express.json({ limit: deps.jsonLimit, strict: false, type: ['application/json', 'application/*+json'] }),
  ];
};

/**
 * `?cursor=&q=` as templates build it: an empty parameter is an absent one, so an optional
 * parameter left blank takes its default (a required one is still "is required").
 */
const withoutEmpty = (query: Request['query']): Record<string, unknown> =>
  Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));

const applyReply = (res: Response, reply: Reply): void => {
  if (reply === HANDLED) return;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  sendData(res, reply.status, reply.data);
};

const handle = (def: AnyRoute): RequestHandler =>
  async (req: Request, res: Response, next: NextFunction) => {
    try {
      const params = def.params ? decodeInput(def.params, req.params, 'path') : E.right(undefined);
      const query = def.query ? decodeInput(def.query, withoutEmpty(req.query), 'query') : E.right(undefined);
      const bodyCodec = bodyCodecOf(def);
      const body = bodyCodec
        ? decodeInput(bodyCodec, req.body === undefined && !hasBody(req) ? {} : req.body, 'body')
        : E.right(undefined);
      const issues = [params, query, body].flatMap((r) => (E.isLeft(r) && r.left._tag === 'Validation' ? r.left.issues : []));
      if (issues.length > 0) {
        sendError(res, toHttpError({ _tag: 'Validation', message: 'Validation failed', issues }));
        return;
      }
      const reply = await def.handler({
        params: (params as E.Right<unknown>).right,
        query: (query as E.Right<unknown>).right,
        // Routes that declare no body get none, even an empty object.
        body: def.body ? (body as E.Right<unknown>).right : undefined,
        actor: res.locals['actor'] as Actor | null,
        request: {
          requestId: String(res.locals['requestId'] ?? ''),
          ip: req.ip ?? null,
          userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
        },
        req,
        res,
      } as HandlerContext<unknown, unknown, unknown, AuthMode>);
      if (E.isLeft(reply)) {
        if (reply.left._tag === 'RateLimited') {
          // The request limiter's headers still describe its own, unspent budget: this refusal says none is left.
          res.setHeader('Retry-After', String(reply.left.retryAfterSeconds));
          res.setHeader('RateLimit-Remaining', '0');
          res.setHeader('RateLimit-Reset', String(reply.left.retryAfterSeconds));
        }
        if (reply.left._tag === 'Unauthenticated') res.setHeader('WWW-Authenticate', 'Bearer');
        sendError(res, toHttpError(reply.left));
        return;
      }
      applyReply(res, reply.right);
    } catch (error) {
      next(error);
    }
  };

/** Mounts route definitions on a router (the router is mounted at `/api/v1`). */
export const mountRoutes = (router: Router, routes: readonly AnyRoute[], deps: RouteDeps): void => {
  for (const def of routes) {
    router[def.method](def.path, authentication(def, deps), ...bodyParsers(def, deps), handle(def));
  }
};

