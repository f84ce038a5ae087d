import { Duplex } from 'node:stream';
import type { PgliteEngine } from './pglite-engine.js';

/**
 * The embedded engine's in-process "wire": node-postgres (`pg`) speaks the Postgres protocol over a
 * byte stream, and this module gives it a stream per connection that is answered by one PGlite
 * instance in this process (on a worker thread of its own, pglite-engine.ts), with no socket at all. Because `pg` itself still parses every reply,
 * results (type parsing through Sequelize's parsers, `rowCount`, `command`, `fields`) and errors
 * (`DatabaseError` with `code`, `constraint`, `detail`, ...) are exactly those of a real server.
 *
 * PGlite is a single Postgres session, so the connections take turns on it:
 * - a frontend batch runs whole: a simple `Query`, or the extended-query messages up to their
 *   `Sync` (Parse/Bind/Describe/Execute/Sync), so the unnamed statement and portal of one
 *   connection can never be replaced by another's (the pglite-socket defect);
 * - a connection whose batch leaves the session inside a transaction block (ReadyForQuery status
 *   `T` or `E`, whatever SQL opened it) keeps the session until a batch ends it (status `I`);
 *   other connections' batches wait in arrival order;
 * - a connection that goes away while it holds the session has its transaction rolled back, as a
 *   server does for a dropped client, and the session passes on: nothing can leave the queue stuck;
 * - a batch that waits longer than `lockTimeoutMs` (a transaction that never ends, or code that
 *   waits inside a transaction for a query it issued outside it) is answered with Postgres's
 *   `55P03` lock-timeout error instead of hanging forever.
 */

const SYNC = Uint8Array.from([0x53, 0, 0, 0, 4]);

const messageOf = (type: string, body: Buffer): Buffer => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/** The frontend's StartupMessage (protocol 3.0) that every connection's session was opened with. */
export const startupPacket = (): Uint8Array => {
  const params = Buffer.from('user\0postgres\0database\0postgres\0client_encoding\0UTF8\0\0', 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Uint8Array.from(Buffer.concat([head, params]));
};

const queryMessage = (sql: string): Buffer => messageOf('Q', Buffer.from(`${sql}\0`, 'utf8'));

/** A backend ErrorResponse followed by ReadyForQuery(idle), as a server answers a refused batch. */
const errorReply = (code: string, message: string): Buffer => {
  const field = (tag: string, value: string) => Buffer.from(`${tag}${value}\0`, 'utf8');
  const body = Buffer.concat([field('S', 'ERROR'), field('V', 'ERROR'), field('C', code), field('M', message), Buffer.from([0])]);
  return Buffer.concat([messageOf('E', body), messageOf('Z', Buffer.from('I', 'latin1'))]);
};

/** The transaction status of the last ReadyForQuery in a backend reply, or null when it has none. */
export const lastReadyStatus = (reply: Uint8Array): 'I' | 'T' | 'E' | null => {
  let status: 'I' | 'T' | 'E' | null = null;
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let at = 0; at + 5 <= view.length; ) {
    const length = view.readInt32BE(at + 1);
    if (view[at] === 0x5a && length === 5 && at + 5 < view.length) status = String.fromCharCode(view[at + 5]!) as 'I' | 'T' | 'E';
    at += 1 + length;
  }
  return status;
};

/** Command tags after which no row of any table can have changed (what `mayHaveWritten` lets pass). */
const READ_ONLY_TAGS = new Set(['SELECT', 'SHOW', 'BEGIN', 'START TRANSACTION', 'COMMIT', 'ROLLBACK', 'SET', 'RESET', 'SAVEPOINT', 'RELEASE', 'DECLARE CURSOR', 'FETCH', 'CLOSE CURSOR', 'MOVE', 'LISTEN', 'UNLISTEN', 'DISCARD ALL']);

/**
 * Whether a backend reply completed any command that may have changed data: every CommandComplete
 * whose tag (its first word or two, without the row count) is not a read. An INSERT, UPDATE,
 * DELETE, MERGE, COPY, DDL, DO, CALL or anything unknown counts as a write. (A SELECT that calls a
 * function which writes would not count: the schema has no such function.)
 */
export const mayHaveWritten = (reply: Uint8Array): boolean => {
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let at = 0; at + 5 <= view.length; ) {
    const length = view.readInt32BE(at + 1);
    if (view[at] === 0x43 /* C: CommandComplete */) {
      const end = view.indexOf(0, at + 5);
      const tag = view.toString('latin1', at + 5, end < 0 ? at + 1 + length : end).replace(/( \d+)+$/, '');
      if (!READ_ONLY_TAGS.has(tag)) return true;
    }
    at += 1 + length;
  }
  return false;
};

export interface PgliteSessionOptions {
  /** How long a batch may wait for another connection's transaction before it fails with 55P03. */
  readonly lockTimeoutMs?: number;
}

interface Waiter {
  readonly owner: object;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

class LockTimeoutError extends Error {}

/** The one PGlite session and the turn-taking of the connections on it. */
export class PgliteSession {
  private owner: object | null = null;
  private readonly waiting: Waiter[] = [];
  private closed = false;
  private readonly lockTimeoutMs: number;
  private writes = 0;

  private constructor(
    private readonly engine: PgliteEngine,
    options: PgliteSessionOptions,
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 15_000;
  }

  /** The backend's startup reply (AuthenticationOk, ParameterStatus..., ReadyForQuery), given to every new connection. */
  get startupReply(): Buffer {
    return this.engine.startupReply;
  }

  static open(engine: PgliteEngine, options: PgliteSessionOptions = {}): PgliteSession {
    if (lastReadyStatus(engine.startupReply) !== 'I') throw new Error('PGlite did not accept the startup packet');
    return new PgliteSession(engine, options);
  }

  /**
   * A number that changes whenever a statement that may have changed data completes, before its
   * connection sees the reply. This process is the engine's only client (the data directory is
   * locked to it), so a value read before a query and found unchanged after it means no write ran
   * in between, in any connection: what a cache of rows needs to stay exact.
   */
  get writeGeneration(): number {
    return this.writes;
  }

  /**
   * Called with every reply, before the connection that sent the batch sees it; with null when the
   * batch's outcome is unknown (the engine failed while running it: it may have written first).
   */
  noteReply(reply: Uint8Array | null): void {
    if (reply === null || mayHaveWritten(reply)) this.writes += 1;
  }

  /** A new connection's byte stream, for node-postgres's `stream` option. */
  connect(): Duplex {
    return new PgliteConnectionStream(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Waits for the session to be free (or already held by `owner`). */
  acquire(owner: object): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the embedded database is closed'));
    if (this.owner === owner) return Promise.resolve();
    if (this.owner === null && this.waiting.length === 0) {
      this.owner = owner;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiting.findIndex((w) => w.timer === timer);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new LockTimeoutError(`waited ${this.lockTimeoutMs} ms for another connection's transaction on the embedded database`));
      }, this.lockTimeoutMs);
      timer.unref();
      this.waiting.push({ owner, resolve, reject, timer });
    });
  }

  /** Passes the session to the next waiting connection. */
  release(owner: object): void {
    if (this.owner !== owner) return;
    this.owner = null;
    const next = this.waiting.shift();
    if (!next) return;
    clearTimeout(next.timer);
    this.owner = next.owner;
    next.resolve();
  }

  /** Takes a connection that went away out of the queue (it may still hold the session). */
  dequeue(owner: object): void {
    for (let i = this.waiting.length - 1; i >= 0; i -= 1) {
      const waiter = this.waiting[i]!;
      if (waiter.owner !== owner) continue;
      this.waiting.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.reject(new Error('connection closed'));
    }
  }

  holds(owner: object): boolean {
    return this.owner === owner;
  }

  /** Runs protocol messages on the session; the caller holds it. */
  exec(batch: Uint8Array): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the embedded database is closed'));
    return this.engine.exec(batch);
  }

  /** Refuses new work and fails every waiting batch; the caller closes PGlite afterwards. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the embedded database is closed'));
    }
  }
}

/**
 * One node-postgres connection to the session: what `pg` writes is split into protocol messages
 * and grouped into batches; each batch runs when the session is this connection's turn, and the
 * backend's reply is pushed back for `pg` to parse.
 */
class PgliteConnectionStream extends Duplex {
  private input: Buffer = Buffer.alloc(0);
  private started = false;
  /** Extended-query messages written since the last Sync. */
  private pending: Buffer[] = [];
  /** True while messages have run without their Sync (after a Flush): the session stays ours. */
  private unsynced = false;
  private status: 'I' | 'T' | 'E' = 'I';
  private chain: Promise<void> = Promise.resolve();
  private gone = false;

  constructor(private readonly session: PgliteSession) {
    super();
  }

  // The net.Socket surface that pg's Connection uses.
  connect(): this {
    process.nextTick(() => {
      if (this.session.isClosed) this.destroy(Object.assign(new Error('the embedded database is closed'), { code: '57P01' }));
      else this.emit('connect');
    });
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    try {
      this.consume();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(
      () => {
        this.push(null);
        callback();
      },
      (error: unknown) => callback(error as Error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.finish().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private consume(): void {
    for (;;) {
      if (!this.started) {
        if (this.input.length < 4) return;
        const length = this.input.readInt32BE(0);
        if (this.input.length < length) return;
        const code = this.input.readInt32BE(4);
        this.input = this.input.subarray(length);
        if (code === 80877103) {
          // SSLRequest: no TLS in process.
          this.push(Buffer.from('N', 'latin1'));
          continue;
        }
        this.started = true;
        this.push(this.session.startupReply);
        continue;
      }
      if (this.input.length < 5) return;
      const length = this.input.readInt32BE(1);
      if (this.input.length < 1 + length) return;
      const message = this.input.subarray(0, 1 + length);
      this.input = this.input.subarray(1 + length);
      this.dispatch(String.fromCharCode(message[0]!), message);
    }
  }

  private dispatch(type: string, message: Buffer): void {
    switch (type) {
      case 'X': // Terminate: pg ends the stream right after.
        return;
      case 'Q': // a simple query is a batch of its own
      case 'S': // Sync closes an extended-query batch
        this.enqueue([...this.pending.splice(0), message], false);
        return;
      case 'H': // Flush: run what we have but keep the session until the Sync
        this.enqueue([...this.pending.splice(0), message], true);
        return;
      default:
        this.pending.push(message);
    }
  }

  private enqueue(messages: Buffer[], keepSession: boolean): void {
    const batch = Buffer.concat(messages);
    this.chain = this.chain.then(() => this.run(batch, keepSession));
  }

  private async run(batch: Buffer, keepSession: boolean): Promise<void> {
    if (this.gone) return;
    try {
      await this.session.acquire(this);
    } catch (error) {
      if (this.gone) return;
      if (error instanceof LockTimeoutError) {
        // Nothing ran: answer like a server whose lock_timeout fired, and stay usable.
        this.push(errorReply('55P03', error.message));
        return;
      }
      this.destroy(Object.assign(error as Error, { code: '57P01' }));
      return;
    }
    try {
      const reply = await this.session.exec(batch);
      this.session.noteReply(reply);
      const status = lastReadyStatus(reply);
      if (status !== null) this.status = status;
      this.unsynced = keepSession;
      if (!this.gone) this.push(reply);
    } catch (error) {
      // PGlite itself failed (not an SQL error, those come back as ErrorResponse): drop this connection.
      this.session.noteReply(null);
      this.destroy(error as Error);
    } finally {
      if (this.status === 'I' && !this.unsynced) this.session.release(this);
    }
  }

  /** The connection goes away: roll back what it left open, then give the session up. */
  private async finish(): Promise<void> {
    if (this.gone) return this.chain;
    this.gone = true;
    this.session.dequeue(this);
    await this.chain;
    if (!this.session.holds(this)) return;
    try {
      if (this.status !== 'I' || this.unsynced) await this.session.exec(Buffer.concat([SYNC, queryMessage('ROLLBACK')]));
    } catch {
      // the database is closing: nothing left to roll back into
    } finally {
      this.status = 'I';
      this.unsynced = false;
      this.session.release(this);
    }
  }
}
