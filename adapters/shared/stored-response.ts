/**
 * What an idempotency store keeps for a replay: the HTTP response a request sent with an
 * `Idempotency-Key` got first. The HTTP layer writes and reads it; the stores (Postgres, memory)
 * persist it. The core's port leaves the shape to them (`IdempotencyStore<StoredResponse>`).
 */
export interface StoredResponse {
  readonly status: number;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;
}
