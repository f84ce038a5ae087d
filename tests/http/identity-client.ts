import type { Express } from 'express';
import request from 'supertest';
import type { Clock } from '../../core/shared/ports/clock.js';
import { buildTestApp, type TestApp } from '../support/app.js';

export const PASSWORD = 'correct horse battery staple';

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: string;
  readonly expires_in: number;
}

export interface UserBody {
  readonly id: string;
  readonly email: string;
  readonly username: string;
  readonly [k: string]: unknown;
}

let counter = 0;

/** A composed memory-profile app plus the calls identity tests repeat. */
export const identityClient = async (env: Record<string, string> = {}, options: { migrate?: boolean; clock?: Clock } = {}) => {
  const t: TestApp = await buildTestApp(env, { migrate: options.migrate ?? false, ...(options.clock ? { clock: options.clock } : {}) });
  const app: Express = t.app;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  const c = {
    t,
    app,
    bearer,
    async register(overrides: Record<string, unknown> = {}): Promise<UserBody> {
      counter += 1;
      const n = `${Date.now().toString(36)}${counter}`;
      const res = await request(app)
        .post('/api/v1/auth/register')
        .send({ email: `user${n}@example.com`, username: `user_${n}`, password: PASSWORD, ...overrides })
        .expect(201);
      return res.body.data as UserBody;
    },
    async login(user: { email: string }, password = PASSWORD): Promise<Tokens> {
      const res = await request(app).post('/api/v1/auth/login').send({ email: user.email, password }).expect(200);
      return res.body.data as Tokens;
    },
    /** A registered, logged-in user. */
    async aUser(overrides: Record<string, unknown> = {}): Promise<{ user: UserBody; tokens: Tokens }> {
      const user = await c.register(overrides);
      return { user, tokens: await c.login(user) };
    },
    /** An admin made the way operators make one: the create-admin use case behind the CLI. */
    async anAdmin(): Promise<{ user: UserBody; tokens: Tokens }> {
      counter += 1;
      const n = `${Date.now().toString(36)}a${counter}`;
      const { IDENTITY } = await import('../../composition/modules/identity.js');
      const created = await t.container.get(IDENTITY.CreateUser).execute('operator', {
        email: `admin${n}@example.com`,
        username: `admin_${n}`,
        password: PASSWORD,
      });
      if (created._tag === 'Left') throw new Error(created.left.message);
      const user = { id: created.right.id, email: created.right.email, username: created.right.username };
      return { user, tokens: await c.login(user) };
    },
    me: (token: string) => request(app).get('/api/v1/auth/me').set(bearer(token)),
    refresh: (refreshToken: string) => request(app).post('/api/v1/auth/refresh').send({ refresh_token: refreshToken }),
    close: () => t.close(),
  };
  return c;
};

export type IdentityClient = Awaited<ReturnType<typeof identityClient>>;

export const fields = (res: request.Response): string[] => ((res.body.detail ?? []) as { field: string }[]).map((d) => d.field);

/** The error envelope, minus the request id that differs per request. */
export const errorOf = (res: request.Response) => {
  const { request_id: _id, ...rest } = res.body as Record<string, unknown>;
  return rest;
};
