import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, paths } from './api-types.js';

/**
 * The typed Portside client for frontends and scripts: openapi-fetch over the types that
 * `npm run client:generate` makes from the served OpenAPI document. Every path, parameter, body
 * and answer is checked by the compiler; docs/client.md shows it in use. Imports nothing from
 * the server, so a browser bundle gets openapi-fetch (6 kB) and this file only.
 */
export type { components, operations, paths } from './api-types.js';

export type PortsideClient = Client<paths>;

/** The error envelope every failure carries: `{code, error, message, detail?, request_id}`. */
export type ApiError = components['schemas']['Error'];

type Json<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body of an operation's answer with one status, e.g. `Answer<'/api/v1/auth/me', 'get', 200>`. */
export type Answer<P extends keyof paths, M extends keyof paths[P], Status extends number> = paths[P][M] extends {
  responses: infer Responses;
}
  ? Status extends keyof Responses
    ? Json<Responses[Status]>
    : never
  : never;

export type TokenPair = Pick<Answer<'/api/v1/auth/login', 'post', 200>['data'], 'access_token' | 'refresh_token'>;
export type User = Answer<'/api/v1/auth/me', 'get', 200>['data'];
export type JobRecord = Answer<'/api/v1/records/{id}', 'get', 200>['data'];
export type StoredFile = Answer<'/api/v1/files/{id}', 'get', 200>['data'];
export type Schedule = Answer<'/api/v1/schedules/{id}', 'get', 200>['data'];
export type Notification = Answer<'/api/v1/notifications', 'get', 200>['data']['items'][number];
/** `meta` of every list: page mode fills `total`/`pages`; cursor mode hands out `next_cursor`. */
export type PageMeta = Answer<'/api/v1/records', 'get', 200>['data']['meta'];

/** A client for the API at `baseUrl` (the server's origin, e.g. `http://localhost:3000`). */
export const createPortsideClient = (options: ClientOptions & { baseUrl: string }): PortsideClient => createClient<paths>(options);

/** Where the bearer middleware keeps the token pair: memory, `localStorage`, a cookie-backed store... */
export interface TokenStorage {
  load(): TokenPair | null;
  /** `null` when the session is over (a refresh was refused): the user has to log in again. */
  save(tokens: TokenPair | null): void;
}

export const memoryTokenStorage = (initial: TokenPair | null = null): TokenStorage => {
  let tokens = initial;
  return {
    load: () => tokens,
    save: (next) => {
      tokens = next;
    },
  };
};

/** Routes that take no bearer token; a 401 from them is an answer, never a reason to refresh. */
const WITHOUT_BEARER: ReadonlySet<string> = new Set(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/token', '/api/v1/auth/refresh']);

type RefreshAnswer = Answer<'/api/v1/auth/refresh', 'post', 200>;

/**
 * Sends `Authorization: Bearer <access token>` on every call but the sign-in ones. On a 401 it
 * trades the refresh token for a new pair once (concurrent 401s share that one refresh, since a
 * refresh token is single-use), saves it and repeats the request; if the refresh is refused too,
 * it saves `null` and hands the 401 on, so the app can send the user to its login page.
 */
export const bearerAuth = (storage: TokenStorage): Middleware => {
  const replays = new Map<string, Request>();
  let refreshing: Promise<TokenPair | null> | null = null;

  const refresh = async (send: (request: Request) => Promise<Response>, baseUrl: string): Promise<TokenPair | null> => {
    const current = storage.load();
    if (current === null) return null;
    const answer = await send(
      new Request(`${baseUrl}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refresh_token }),
      }),
    );
    if (!answer.ok) {
      storage.save(null);
      return null;
    }
    const { data } = (await answer.json()) as RefreshAnswer;
    const next = { access_token: data.access_token, refresh_token: data.refresh_token };
    storage.save(next);
    return next;
  };

  return {
    onRequest({ request, schemaPath, id }) {
      if (WITHOUT_BEARER.has(schemaPath)) return undefined;
      const tokens = storage.load();
      if (tokens !== null) request.headers.set('Authorization', `Bearer ${tokens.access_token}`);
      // The body can be read once: keep a copy in case the call has to be repeated after a refresh.
      replays.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id, options }) {
      const replay = replays.get(id);
      replays.delete(id);
      if (response.status !== 401 || replay === undefined) return undefined;
      const current = storage.load();
      // Sent with a token that another call has replaced since: repeat it with the new one.
      const tokens =
        current !== null && replay.headers.get('Authorization') !== `Bearer ${current.access_token}`
          ? current
          : await (refreshing ??= refresh(options.fetch, options.baseUrl).finally(() => (refreshing = null)));
      if (tokens === null) return undefined;
      replay.headers.set('Authorization', `Bearer ${tokens.access_token}`);
      return options.fetch(replay);
    },
    onError({ id }) {
      replays.delete(id);
    },
  };
};

/** A multipart body for uploads: `bodySerializer: multipart` next to `body: { file }`. */
export const multipart = (fields: Readonly<Record<string, Blob | string>>): FormData => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
};
