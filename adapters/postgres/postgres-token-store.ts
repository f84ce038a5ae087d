import { Op, QueryTypes, Transaction } from 'sequelize';
import { v7 as uuidv7 } from 'uuid';
import type {
  NewRefreshSession,
  RefreshSession,
  RotateRequest,
  RotateResult,
  TokenStore,
} from '../../core/identity/ports/token-store.js';
import type { SessionLookup, SessionWithUser } from '../../core/identity/ports/session-lookup.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';
import type { RefreshSessionRow } from './models/refresh-session.js';
import type { UserRow } from './models/user.js';
import { toUser } from './postgres-user-repository.js';
import { SingleWriterCache } from './single-writer-cache.js';

type SessionWithUserRow = RefreshSessionRow & { readonly user_row: UserRow | null };

/** Per database, the authentication reads when this process is its only writer (embedded). */
const authReads = new WeakMap<PostgresDatabase, SingleWriterCache<SessionWithUserRow | null>>();
const authReadCache = (db: PostgresDatabase): SingleWriterCache<SessionWithUserRow | null> | null => {
  if (!db.writeGeneration) return null;
  let cache = authReads.get(db);
  if (!cache) authReads.set(db, (cache = new SingleWriterCache(db.writeGeneration)));
  return cache;
};

const toSession = (row: RefreshSessionRow): RefreshSession => ({
  id: row.id,
  userId: row.user_id,
  createdAt: new Date(row.created_at),
  lastUsedAt: new Date(row.last_used_at),
  expiresAt: new Date(row.expires_at),
  idleExpiresAt: new Date(row.idle_expires_at),
  userAgent: row.user_agent,
  ip: row.ip,
  revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  credentialVersion: row.credential_version,
});

const isActive = (row: RefreshSessionRow, now: Date): boolean =>
  row.revoked_at === null && now < new Date(row.expires_at) && now < new Date(row.idle_expires_at);

const activeAt = (now: Date) => ({
  revoked_at: null,
  expires_at: { [Op.gt]: now },
  idle_expires_at: { [Op.gt]: now },
});

/**
 * Sessions in `refresh_sessions`, token hashes in `refresh_tokens` (schema and locking order in
 * migrations/0003-refresh-tokens.ts). Writes that must not interleave run in a transaction that
 * first locks the session row, the family's lock; given a transaction, the store runs inside it.
 */
export class PostgresTokenStore implements TokenStore, SessionLookup {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly transaction?: Transaction,
  ) {}

  async create(n: NewRefreshSession): Promise<RefreshSession> {
    const expiresAt = n.expiresAt;
    const row: RefreshSessionRow = {
      id: n.sessionId,
      user_id: n.userId,
      created_at: n.now,
      last_used_at: n.now,
      expires_at: expiresAt,
      idle_expires_at: new Date(Math.min(n.now.getTime() + n.idleTimeoutSeconds * 1000, expiresAt.getTime())),
      user_agent: n.userAgent,
      ip: n.ip,
      revoked_at: null,
      credential_version: n.credentialVersion,
    };
    await this.atomically(async (transaction) => {
      await this.db.models.RefreshSession.create(row, { transaction });
      await this.db.models.RefreshToken.create(
        {
          id: uuidv7(),
          token_hash: n.tokenHash,
          session_id: n.sessionId,
          user_id: n.userId,
          created_at: n.now,
          expires_at: expiresAt,
          spent_at: null,
          successor_hash: null,
        },
        { transaction },
      );
    });
    return toSession(row);
  }

  async rotate(r: RotateRequest): Promise<RotateResult> {
    const { RefreshSession: Sessions, RefreshToken: Tokens } = this.db.models;
    return this.atomically(async (transaction) => {
      const found = await Tokens.findOne({ where: { token_hash: r.tokenHash }, attributes: ['session_id'], raw: true, transaction });
      if (!found) return { kind: 'invalid' } as const;
      // Session row first, then the token: the same order as revocation, so the two never deadlock.
      const session = await Sessions.findOne({ where: { id: found.session_id }, raw: true, lock: transaction.LOCK.UPDATE, transaction });
      if (!session || !isActive(session, r.now)) return { kind: 'invalid' } as const;
      const token = await Tokens.findOne({ where: { token_hash: r.tokenHash }, raw: true, lock: transaction.LOCK.UPDATE, transaction });
      if (!token) return { kind: 'invalid' } as const;

      if (token.spent_at === null) {
        await Tokens.update({ spent_at: r.now, successor_hash: r.successorHash }, { where: { id: token.id }, transaction });
        await Tokens.create(
          { ...token, id: uuidv7(), token_hash: r.successorHash, created_at: r.now, spent_at: null, successor_hash: null },
          { transaction },
        );
        const idle = new Date(Math.min(r.now.getTime() + r.idleTimeoutSeconds * 1000, new Date(session.expires_at).getTime()));
        await Sessions.update({ last_used_at: r.now, idle_expires_at: idle }, { where: { id: session.id }, transaction });
        return { kind: 'rotated', session: toSession({ ...session, last_used_at: r.now, idle_expires_at: idle }) } as const;
      }
      const sinceSpent = r.now.getTime() - new Date(token.spent_at).getTime();
      if (sinceSpent <= r.graceSeconds * 1000 && token.successor_hash === r.successorHash) {
        return { kind: 'rotated', session: toSession(session) } as const;
      }
      await this.revokeLocked([session.id], r.now, transaction);
      return { kind: 'reused', session: toSession({ ...session, revoked_at: r.now }) } as const;
    });
  }

  async findActive(sessionId: string, now: Date): Promise<RefreshSession | null> {
    const row = await guarded(() =>
      this.db.models.RefreshSession.findOne({ where: { id: sessionId, ...activeAt(now) }, raw: true, ...inTx(this.transaction) }),
    );
    return row ? toSession(row) : null;
  }

  /**
   * The session and its user in one statement (the database that keeps the sessions also keeps the
   * users): what every authenticated request reads, fresh each time. The user comes as JSON of its
   * row, so the two rows' columns (id, created_at, ...) do not collide.
   */
  async findActiveWithUser(sessionId: string, userId: string, now: Date): Promise<SessionWithUser | null> {
    const read = () =>
      guarded(async () => {
        const rows = await this.db.sequelize.query<SessionWithUserRow>(
          // The activity test is applied below, in memory, so that a kept row serves later requests.
          `SELECT s.*, (SELECT row_to_json(u) FROM users u WHERE u.id = s.user_id AND u.id = $userId AND u.deleted_at IS NULL) AS user_row
             FROM refresh_sessions s
            WHERE s.id = $sessionId AND s.revoked_at IS NULL`,
          { bind: { sessionId, userId }, type: QueryTypes.SELECT, ...inTx(this.transaction) },
        );
        return rows[0] ?? null;
      });
    // On the embedded engine, outside a transaction (whose uncommitted writes must not be kept),
    // the row is kept until any write: each request still sees what the database holds now.
    const cache = this.transaction ? null : authReadCache(this.db);
    const row = cache ? await cache.get(`${sessionId}:${userId}`, read) : await read();
    if (!row || !isActive(row, now)) return null;
    const { user_row: userRow, ...session } = row;
    return { session: toSession(session), user: userRow ? toUser(userRow) : null };
  }

  async listActive(userId: string, now: Date): Promise<readonly RefreshSession[]> {
    const rows = await guarded(() =>
      this.db.models.RefreshSession.findAll({
        where: { user_id: userId, ...activeAt(now) },
        order: [['created_at', 'DESC'], ['id', 'DESC']],
        raw: true,
        ...inTx(this.transaction),
      }),
    );
    return rows.map(toSession);
  }

  async revokeSession(sessionId: string, now: Date): Promise<void> {
    await this.atomically(async (transaction) => {
      const rows = await this.db.models.RefreshSession.findAll({
        where: { id: sessionId, revoked_at: null },
        attributes: ['id'],
        raw: true,
        lock: transaction.LOCK.UPDATE,
        transaction,
      });
      await this.revokeLocked(rows.map((s) => s.id), now, transaction);
    });
  }

  async revokeAllForUser(userId: string, now: Date, exceptSessionId?: string): Promise<void> {
    await this.atomically(async (transaction) => {
      // Locked in id order so that two concurrent "end everything" calls cannot deadlock.
      const rows = await this.db.models.RefreshSession.findAll({
        where: { user_id: userId, revoked_at: null, ...(exceptSessionId ? { id: { [Op.ne]: exceptSessionId } } : {}) },
        attributes: ['id'],
        order: [['id', 'ASC']],
        raw: true,
        lock: transaction.LOCK.UPDATE,
        transaction,
      });
      await this.revokeLocked(rows.map((s) => s.id), now, transaction);
    });
  }

  async setCredentialVersion(sessionId: string, credentialVersion: number): Promise<void> {
    // One statement: it takes the session row's lock itself, like the other writes.
    await guarded(() =>
      this.db.models.RefreshSession.update(
        { credential_version: credentialVersion },
        { where: { id: sessionId, revoked_at: null, credential_version: { [Op.lt]: credentialVersion } }, ...inTx(this.transaction) },
      ),
    );
  }

  /**
   * Deletes sessions past their absolute or idle end, and the tokens of sessions that are gone or
   * past their absolute end: they can only ever answer `invalid` again. Not part of the port (Redis
   * expires its keys by itself); a periodic job calls it. Returns the number of sessions removed.
   */
  async purgeExpired(now: Date): Promise<number> {
    return this.atomically(async (transaction) => {
      const removed = await this.db.models.RefreshSession.destroy({
        where: { [Op.or]: [{ expires_at: { [Op.lte]: now } }, { idle_expires_at: { [Op.lte]: now } }] },
        transaction,
      });
      await this.db.sequelize.query(
        `DELETE FROM refresh_tokens t WHERE t.expires_at <= $now
           OR NOT EXISTS (SELECT 1 FROM refresh_sessions s WHERE s.id = t.session_id)`,
        { bind: { now }, transaction },
      );
      return removed;
    });
  }

  /** Marks locked sessions revoked: the session row is the only record of revocation (every token lookup goes through it). */
  private async revokeLocked(sessionIds: string[], now: Date, transaction: Transaction): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.db.models.RefreshSession.update({ revoked_at: now }, { where: { id: sessionIds }, transaction });
  }

  /** Runs `work` in the given transaction, or in a fresh READ COMMITTED one (row locks then see the latest commit). */
  private atomically<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    if (this.transaction) return guarded(() => work(this.transaction as Transaction));
    return guarded(() =>
      this.db.sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, work),
    );
  }
}
