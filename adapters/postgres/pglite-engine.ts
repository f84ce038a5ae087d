import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * One PGlite instance on a worker thread of its own, driven by protocol batches.
 *
 * PGlite is Postgres compiled to WebAssembly: every statement runs synchronously on the thread
 * that owns the instance. In the server's process that was the event loop's thread, so while the
 * engine planned and executed, no request could be parsed or answered (a CPU profile under login
 * load found 46% of the event loop inside PGlite, and `/health` waited seconds). Here the main
 * thread only posts the bytes `pg` wrote and receives the backend's reply (each copied once, then
 * transferred); the engine works on another core.
 */

/** A compiled `WebAssembly.Module` (the project builds without the DOM typings that name it). */
export type CompiledWasm = object;
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> } }).WebAssembly;

export interface EngineStart {
  readonly dataDir?: string;
  /** `-c name=value` pairs, after PGlite's default start parameters. */
  readonly settings: string[];
  readonly startupPacket: Uint8Array;
  readonly loadDataDir?: ArrayBuffer;
  readonly wasmModule?: CompiledWasm;
}

export type EngineRequest =
  | { readonly op: 'exec'; readonly id: number; readonly batch: Uint8Array }
  | { readonly op: 'dump'; readonly id: number }
  | { readonly op: 'close'; readonly id: number };

interface WorkerError {
  readonly name: string;
  readonly message: string;
}

export type EngineReply =
  | { readonly kind: 'ready'; readonly startupReply: Uint8Array }
  | { readonly kind: 'failed'; readonly error: WorkerError }
  | { readonly kind: 'result'; readonly id: number; readonly reply: Uint8Array }
  | { readonly kind: 'error'; readonly id: number; readonly error: WorkerError };

/** PGlite itself failed (not an SQL error: those come back inside the reply as ErrorResponse). */
export class EmbeddedEngineError extends Error {
  override readonly name = 'EmbeddedEngineError';
  /** As a server shutting down answers (admin_shutdown): requests get a 503, not a 500. */
  readonly code = '57P01';
}

const toError = (error: WorkerError): Error => Object.assign(new EmbeddedEngineError(error.message), { cause: error.name });

// Plain JavaScript with no loader (execArgv empty): see the module's header.
const WORKER_URL = new URL('./pglite-worker.mjs', import.meta.url);

let compiled: Promise<CompiledWasm> | null = null;
/**
 * PGlite's WebAssembly, compiled once per process and shared with every engine's worker (a
 * compiled module is shared between threads, not copied): tests open many engines in one process.
 */
const pgliteModule = (): Promise<CompiledWasm> =>
  (compiled ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    return wasm.compile(await readFile(join(dirname(entry), 'pglite.wasm')));
  })().catch((error: unknown) => {
    compiled = null;
    throw error;
  }));

interface Pending {
  readonly resolve: (reply: Buffer) => void;
  readonly reject: (error: Error) => void;
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export class PgliteEngine {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    /** The backend's startup reply (AuthenticationOk, ParameterStatus..., ReadyForQuery). */
    readonly startupReply: Buffer,
  ) {
    worker.on('message', (message: EngineReply) => this.settle(message));
    worker.on('error', (error) => this.fail(new EmbeddedEngineError(`the embedded database stopped: ${error.message}`)));
    worker.on('exit', (code) => this.fail(new EmbeddedEngineError(`the embedded database stopped (worker exit ${code})`)));
    worker.unref();
  }

  static async start(options: Omit<EngineStart, 'wasmModule'>): Promise<PgliteEngine> {
    const wasmModule = await pgliteModule();
    const transfer = options.loadDataDir ? [options.loadDataDir] : [];
    const worker = new Worker(WORKER_URL, { workerData: { ...options, wasmModule } satisfies EngineStart, transferList: transfer, execArgv: [] });
    return new Promise<PgliteEngine>((resolve, reject) => {
      const onExit = (code: number) => reject(new EmbeddedEngineError(`the embedded database's worker exited (${code}) before it was ready`));
      const onError = (error: Error) => reject(error);
      worker.once('exit', onExit);
      worker.once('error', onError);
      worker.once('message', (message: EngineReply) => {
        worker.off('exit', onExit);
        worker.off('error', onError);
        if (message.kind === 'ready') {
          resolve(new PgliteEngine(worker, asBuffer(message.startupReply)));
          return;
        }
        // A late 'error' from the failed worker must find a listener, or it would end the process.
        worker.on('error', () => undefined);
        void worker.terminate();
        reject(message.kind === 'failed' ? toError(message.error) : new EmbeddedEngineError('unexpected first message from the embedded database'));
      });
    });
  }

  /** Runs protocol messages; resolves with the backend's whole reply. */
  exec(batch: Uint8Array): Promise<Buffer> {
    return this.request('exec', batch);
  }

  /** A tar of the data directory. */
  async dump(): Promise<Blob> {
    return new Blob([await this.request('dump')]);
  }

  /** Shuts PGlite down (a clean Postgres shutdown) and ends the worker. */
  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Referenced until the worker is gone: the caller's next step must not be the process ending.
    this.closing = true;
    this.worker.ref();
    try {
      await this.request('close');
    } catch (error) {
      // PGlite could not shut down cleanly: end the thread anyway, so the process is not held open.
      await this.worker.terminate();
      throw error;
    }
    await exited;
  }

  private request(op: 'exec' | 'dump' | 'close', batch?: Uint8Array): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // While anything is in flight the worker keeps the process alive; idle, it does not.
      if (this.pending.size === 1) this.worker.ref();
      if (op === 'exec') {
        // pg's buffers may be reused; the copy is what crosses to the worker.
        const copy = new Uint8Array(batch!);
        this.worker.postMessage({ op, id, batch: copy } satisfies EngineRequest, [copy.buffer]);
      } else {
        this.worker.postMessage({ op, id } satisfies EngineRequest);
      }
    });
  }

  private settle(message: EngineReply): void {
    if (message.kind !== 'result' && message.kind !== 'error') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    if (message.kind === 'result') pending.resolve(asBuffer(message.reply));
    else pending.reject(toError(message.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
