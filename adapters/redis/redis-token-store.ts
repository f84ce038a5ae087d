import { createHash } from 'node:crypto';
import { ErrorReply } from 'redis';
import type {
  NewRefreshSession,
  RefreshSession,
  RotateRequest,
  RotateResult,
  TokenStore,
} from '../../core/identity/ports/token-store.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

/** The slice of a node-redis (v5+) client this store needs; any connected `createClient()` fits. */
export interface RedisScriptClient {
  readonly isReady: boolean;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisTokenStoreOptions {
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  readonly keyPrefix?: string;
}

/*
 * Keys (see docs/auth.md):
 *   <p>session:<id>        hash  id user created used exp idle cv [ua] [ip] [revoked]   expires at `idle`
 *   <p>token:<hash>        hash  session [spent successor]                          expires at the session's `exp`
 *   <p>user:<id>:sessions  zset  session id scored by its `exp`                     expires with its last session
 * Times are epoch milliseconds. Spent tokens live as long as their session could, so reuse is
 * detected for the family's whole life. Scripts reach keys they derive from others (a token names
 * its session), so this store needs a single Redis node (or a primary with replicas), not Cluster.
 */

const fieldsOf = `
local function fields(flat)
  local f = {}
  for i = 1, #flat, 2 do f[flat[i]] = flat[i + 1] end
  return f
end
`;

const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], 'session', ARGV[1])
redis.call('PEXPIREAT', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[3], last[2])
return 1
`;

// ARGV: prefix, now, graceMs, idleMs, successorHash. Atomic, so concurrent rotations of one
// token are serialised: the first spends it, the others see it spent.
const ROTATE = `${fieldsOf}
local sid = redis.call('HGET', KEYS[1], 'session')
if not sid then return {'invalid'} end
local skey = ARGV[1] .. 'session:' .. sid
local s = fields(redis.call('HGETALL', skey))
local now = tonumber(ARGV[2])
if not s.id or s.revoked or now >= tonumber(s.exp) or now >= tonumber(s.idle) then return {'invalid'} end
local spent = redis.call('HGET', KEYS[1], 'spent')
if not spent then
  redis.call('HSET', KEYS[1], 'spent', ARGV[2], 'successor', ARGV[5])
  redis.call('HSET', KEYS[2], 'session', sid)
  redis.call('PEXPIREAT', KEYS[2], s.exp)
  local idle = string.format('%d', math.min(now + tonumber(ARGV[4]), tonumber(s.exp)))
  redis.call('HSET', skey, 'used', ARGV[2], 'idle', idle)
  redis.call('PEXPIREAT', skey, idle)
  return {'rotated', redis.call('HGETALL', skey)}
end
if now - tonumber(spent) <= tonumber(ARGV[3]) and redis.call('HGET', KEYS[1], 'successor') == ARGV[5] then
  return {'rotated', redis.call('HGETALL', skey)}
end
redis.call('HSET', skey, 'revoked', ARGV[2])
return {'reused', redis.call('HGETALL', skey)}
`;

const FIND = `return redis.call('HGETALL', KEYS[1])`;

// ARGV: prefix, now. Drops members whose session is past its absolute or idle end.
const LIST = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local out = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local s = redis.call('HGETALL', ARGV[1] .. 'session:' .. sid)
  if #s == 0 then redis.call('ZREM', KEYS[1], sid) else table.insert(out, s) end
end
return out
`;

// ARGV: now
const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], 'revoked') == 0 then
  redis.call('HSET', KEYS[1], 'revoked', ARGV[1])
end
return 1
`;

// ARGV: credential version. Only raises it, only on a live session.
const SET_VERSION = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], 'revoked') == 0
  and tonumber(redis.call('HGET', KEYS[1], 'cv') or '1') < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'cv', ARGV[1])
end
return 1
`;

// ARGV: prefix, now, session id to keep ('' for none)
const REVOKE_ALL = `
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local skey = ARGV[1] .. 'session:' .. sid
  if sid ~= ARGV[3] and redis.call('EXISTS', skey) == 1 and redis.call('HEXISTS', skey, 'revoked') == 0 then
    redis.call('HSET', skey, 'revoked', ARGV[2])
  end
end
return 1
`;

const sha1 = (script: string): string => createHash('sha1').update(script).digest('hex');
const SCRIPTS = { CREATE, ROTATE, FIND, LIST, REVOKE, REVOKE_ALL, SET_VERSION };
type ScriptName = keyof typeof SCRIPTS;
const SHAS = Object.fromEntries(Object.entries(SCRIPTS).map(([k, v]) => [k, sha1(v)])) as Record<ScriptName, string>;

// Replies that mean "Redis cannot serve right now", as opposed to a bug in a script or a call.
const OUTAGE_REPLY = /^(LOADING|MASTERDOWN|READONLY|BUSY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM)\b/;

const isActive = (s: RefreshSession, now: Date): boolean =>
  s.revokedAt === null && now < s.expiresAt && now < s.idleExpiresAt;

const ms = (d: Date): string => String(d.getTime());
const date = (v: string | undefined): Date => new Date(Number(v));

const toSession = (flat: unknown): RefreshSession | null => {
  if (!Array.isArray(flat) || flat.length === 0) return null;
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[String(flat[i])] = String(flat[i + 1]);
  if (f['id'] === undefined || f['user'] === undefined) return null;
  return {
    id: f['id'],
    userId: f['user'],
    createdAt: date(f['created']),
    lastUsedAt: date(f['used']),
    expiresAt: date(f['exp']),
    idleExpiresAt: date(f['idle']),
    userAgent: f['ua'] ?? null,
    ip: f['ip'] ?? null,
    revokedAt: f['revoked'] === undefined ? null : date(f['revoked']),
    // Sessions written before versions existed carry none: they belong to version 1.
    credentialVersion: f['cv'] === undefined ? 1 : Number(f['cv']),
  };
};

export class RedisTokenStore implements TokenStore {
  private readonly prefix: string;

  constructor(
    private readonly client: RedisScriptClient,
    options: RedisTokenStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'portside:';
  }

  async create(n: NewRefreshSession): Promise<RefreshSession> {
    const now = n.now.getTime();
    const exp = n.expiresAt.getTime();
    const idle = Math.min(now + n.idleTimeoutSeconds * 1000, exp);
    const session = ['id', n.sessionId, 'user', n.userId, 'created', String(now), 'used', String(now)];
    session.push('exp', String(exp), 'idle', String(idle), 'cv', String(n.credentialVersion));
    if (n.userAgent !== null) session.push('ua', n.userAgent);
    if (n.ip !== null) session.push('ip', n.ip);
    await this.run(
      'CREATE',
      [this.sessionKey(n.sessionId), this.tokenKey(n.tokenHash), this.userKey(n.userId)],
      [n.sessionId, String(exp), String(idle), ...session],
    );
    return {
      id: n.sessionId,
      userId: n.userId,
      createdAt: new Date(now),
      lastUsedAt: new Date(now),
      expiresAt: new Date(exp),
      idleExpiresAt: new Date(idle),
      userAgent: n.userAgent,
      ip: n.ip,
      revokedAt: null,
      credentialVersion: n.credentialVersion,
    };
  }

  async rotate(r: RotateRequest): Promise<RotateResult> {
    const reply = await this.run(
      'ROTATE',
      [this.tokenKey(r.tokenHash), this.tokenKey(r.successorHash)],
      [this.prefix, ms(r.now), String(r.graceSeconds * 1000), String(r.idleTimeoutSeconds * 1000), r.successorHash],
    );
    const [kind, flat] = reply as [string, unknown];
    const session = toSession(flat);
    if ((kind === 'rotated' || kind === 'reused') && session) return { kind, session };
    return { kind: 'invalid' };
  }

  async findActive(sessionId: string, now: Date): Promise<RefreshSession | null> {
    const session = toSession(await this.run('FIND', [this.sessionKey(sessionId)], []));
    return session && isActive(session, now) ? session : null;
  }

  async listActive(userId: string, now: Date): Promise<readonly RefreshSession[]> {
    const reply = (await this.run('LIST', [this.userKey(userId)], [this.prefix, ms(now)])) as unknown[];
    return reply
      .map(toSession)
      .filter((s): s is RefreshSession => s !== null && isActive(s, now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  }

  async revokeSession(sessionId: string, now: Date): Promise<void> {
    await this.run('REVOKE', [this.sessionKey(sessionId)], [ms(now)]);
  }

  async revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<void> {
    await this.run('REVOKE_ALL', [this.userKey(userId)], [this.prefix, ms(now), exceptSessionId ?? '']);
  }

  async setCredentialVersion(sessionId: string, credentialVersion: number): Promise<void> {
    await this.run('SET_VERSION', [this.sessionKey(sessionId)], [String(credentialVersion)]);
  }

  private sessionKey = (id: string) => `${this.prefix}session:${id}`;
  private tokenKey = (hash: string) => `${this.prefix}token:${hash}`;
  private userKey = (id: string) => `${this.prefix}user:${id}:sessions`;

  /** EVALSHA, loading the script on first use; outages become DependencyUnavailableError. */
  private async run(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    // A disconnected node-redis client queues commands until it reconnects: fail fast instead.
    if (!this.client.isReady) throw new DependencyUnavailableError('redis');
    try {
      try {
        return await this.client.evalSha(SHAS[name], { keys, arguments: args });
      } catch (error) {
        if (!(error instanceof ErrorReply && error.message.startsWith('NOSCRIPT'))) throw error;
        return await this.client.eval(SCRIPTS[name], { keys, arguments: args });
      }
    } catch (error) {
      if (error instanceof ErrorReply && !OUTAGE_REPLY.test(error.message)) throw error;
      throw new DependencyUnavailableError('redis', { cause: error });
    }
  }
}
