import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { IDENTITY } from '../../composition/modules/identity.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { ManualClock } from '../support/manual-clock.js';

/**
 * One composed app (memory profile) shared by the security suite, with what the suite needs to
 * prove its points: a known JWT secret to forge tokens with, a manual clock, the log lines the
 * app wrote, every response it gave, and every secret (password, token) that went through it.
 */
export const JWT_SECRET = 'security-suite-signing-key-0123456789-abcdef';
export const ISSUER = 'portside';
export const AUDIENCE = 'portside-api';
export const PASSWORD = 'a long and unguessable passphrase 42';
export const ALLOWED_ORIGIN = 'https://app.example.com';
export const MAX_UPLOAD = 256 * 1024;
export const LOGIN_MAX_FAILURES = 5;

export interface Seen {
  readonly route: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly text: string;
}

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly username: string;
  readonly password: string;
  readonly tokens: Tokens;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';

export interface Call {
  readonly token?: string;
  readonly body?: unknown;
  /** A raw JSON text (for keys such as `__proto__` that an object literal cannot carry). */
  readonly json?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Routes whose answers legitimately carry tokens: everything else must never show one. */
export const TOKEN_ISSUING = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/token', 'POST /api/v1/auth/refresh']);

export class SecurityHarness {
  readonly seen: Seen[] = [];
  readonly passwords = new Set<string>([PASSWORD]);
  readonly tokens = new Set<string>();
  private counter = 0;
  private constructor(
    readonly t: TestApp,
    readonly clock: ManualClock,
    /** Every line the app logged (JSON), as the log sink received it. */
    readonly logLines: readonly string[],
  ) {}

  static async create(): Promise<SecurityHarness> {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        done();
      },
    });
    const clock = new ManualClock(new Date('2031-03-01T09:00:00Z'));
    const t = await buildTestApp(
      {
        JWT_SECRET,
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        CORS_ORIGINS: ALLOWED_ORIGIN,
        FILES_MAX_BYTES: String(MAX_UPLOAD),
        LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
      },
      { clock, logSink: sink },
    );
    return new SecurityHarness(t, clock, lines);
  }

  get app() {
    return this.t.app;
  }

  record(route: string, res: request.Response): request.Response {
    this.seen.push({ route, status: res.status, headers: res.headers as Record<string, unknown>, text: res.text ?? '' });
    for (const key of ['access_token', 'refresh_token'] as const) {
      const value = (res.body as { data?: Record<string, unknown> } | undefined)?.data?.[key];
      if (typeof value === 'string') this.tokens.add(value);
    }
    return res;
  }

  async call(method: Method, path: string, call: Call = {}): Promise<request.Response> {
    let req = request(this.app)[method](path);
    if (call.token !== undefined) req = req.set('Authorization', `Bearer ${call.token}`);
    for (const [k, v] of Object.entries(call.headers ?? {})) req = req.set(k, v);
    if (call.json !== undefined) req = req.set('Content-Type', 'application/json').send(call.json);
    else if (call.body !== undefined) req = req.send(call.body as object);
    const route = `${method.toUpperCase()} ${path.split('?')[0]!.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}')}`;
    return this.record(route, await req);
  }

  /** A new account registered and logged in through the API. */
  async account(overrides: { role?: 'giver' | 'taker'; password?: string } = {}): Promise<Account> {
    this.counter += 1;
    const n = `${Date.now().toString(36)}${this.counter}`;
    const password = overrides.password ?? `${PASSWORD} ${n}`;
    this.passwords.add(password);
    const email = `sec${n}@example.com`;
    const username = `sec_${n}`;
    const reg = await this.call('post', '/api/v1/auth/register', { body: { email, username, password, ...(overrides.role ? { role: overrides.role } : {}) } });
    if (reg.status !== 201) throw new Error(`register answered ${reg.status}: ${reg.text}`);
    return { id: reg.body.data.id as string, email, username, password, tokens: await this.login(email, password) };
  }

  async login(email: string, password: string): Promise<Tokens> {
    const res = await this.call('post', '/api/v1/auth/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
    return res.body.data as Tokens;
  }

  /** An admin, made the way an operator makes one (the CLI's create-admin use case). */
  async admin(): Promise<Account> {
    this.counter += 1;
    const n = `${Date.now().toString(36)}a${this.counter}`;
    const password = `${PASSWORD} admin ${n}`;
    this.passwords.add(password);
    const created = await this.t.container.get(IDENTITY.CreateUser).execute('operator', { email: `secadmin${n}@example.com`, username: `secadmin_${n}`, password });
    if (created._tag === 'Left') throw new Error(created.left.message);
    const { id, email, username } = created.right;
    return { id, email, username, password, tokens: await this.login(email, password) };
  }

  /** An HS256 token signed with the server's key: valid unless `claims`/`options` make it not. */
  forge(claims: Record<string, unknown>, options: jwt.SignOptions = {}, key: string = JWT_SECRET): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return jwt.sign({ jti: randomUUID(), typ: 'access', iat: now, exp: now + 600, ...claims }, key, {
      algorithm: 'HS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      ...options,
    });
  }
}

let shared: Promise<SecurityHarness> | null = null;

/** The suite's one app: every file adds to what the last file (leaks) checks. */
export const securityHarness = (): Promise<SecurityHarness> => (shared ??= SecurityHarness.create());

/** The contract's error envelope with this status and machine code. */
export const expectError = (res: request.Response, status: number, code: string): void => {
  if (res.status !== status || (res.body as { error?: string }).error !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text.slice(0, 300)}`);
  }
};
