import { randomUUID } from 'node:crypto';
import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { ClaimResult, IdempotencyClaim, IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { StoredResponse } from '../shared/stored-response.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';
import type { IdempotencyKeyRow } from './models/idempotency-key.js';

// One statement claims a new key or takes over an expired or abandoned one, so two concurrent
// requests with the same key cannot both win. A takeover gives the row a new id: the id is the
// claim's token, so the request that lost it can no longer complete or release it.
const CLAIM = `
INSERT INTO idempotency_keys (id, scope, key, request_hash, response, claimed_at, expires_at)
VALUES ($id, $scope, $key, $hash, NULL, $now, $expires)
ON CONFLICT (scope, key) DO UPDATE
  SET id = EXCLUDED.id, request_hash = EXCLUDED.request_hash, response = NULL,
      claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at
  WHERE idempotency_keys.expires_at <= $now
     OR (idempotency_keys.response IS NULL AND idempotency_keys.claimed_at <= $staleBefore)
RETURNING id`;

export class PostgresIdempotencyStore implements IdempotencyStore<StoredResponse> {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly transaction?: Transaction,
  ) {}

  async claim(c: IdempotencyClaim): Promise<ClaimResult<StoredResponse>> {
    const id = randomUUID();
    const won = await guarded(() =>
      this.db.sequelize.query<{ id: string }>(CLAIM, {
        bind: {
          id,
          scope: c.scope,
          key: c.key,
          hash: c.requestHash,
          now: c.now.toISOString(),
          expires: c.expiresAt.toISOString(),
          staleBefore: new Date(c.now.getTime() - c.staleAfterSeconds * 1000).toISOString(),
        },
        type: QueryTypes.SELECT,
        ...inTx(this.transaction),
      }),
    );
    if (won[0]?.id === id) return { kind: 'claimed', token: id };
    const row = await guarded(() =>
      this.db.models.IdempotencyKey.findOne({ where: { scope: c.scope, key: c.key }, raw: true, ...inTx(this.transaction) }),
    );
    // Released between the two statements: the client may simply retry.
    if (!row) return { kind: 'in_progress' };
    if (row.request_hash !== c.requestHash) return { kind: 'mismatch' };
    return row.response ? { kind: 'replay', response: toResponse(row.response) } : { kind: 'in_progress' };
  }

  /**
   * Inside a transaction the row stays locked until it ends: a retry's claim waits for the outcome
   * and then replays the response (commit) or finds the claim still held (rollback).
   */
  async complete(scope: string, key: string, token: string, response: StoredResponse): Promise<boolean> {
    const [updated] = await guarded(() =>
      this.db.models.IdempotencyKey.update(
        { response: { status: response.status, data: response.data, headers: { ...response.headers } } },
        { where: { scope, key, id: token, response: null }, ...inTx(this.transaction) },
      ),
    );
    return updated === 1;
  }

  async release(scope: string, key: string, token: string): Promise<void> {
    await guarded(() => this.db.models.IdempotencyKey.destroy({ where: { scope, key, id: token, response: null }, ...inTx(this.transaction) }));
  }

  async purgeExpired(now: Date): Promise<number> {
    return guarded(() => this.db.models.IdempotencyKey.destroy({ where: { expires_at: { [Op.lte]: now } }, ...inTx(this.transaction) }));
  }
}

const toResponse = (r: NonNullable<IdempotencyKeyRow['response']>): StoredResponse => ({ status: r.status, data: r.data, headers: r.headers });
