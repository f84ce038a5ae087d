// @ts-check
/**
 * The worker thread that owns one PGlite instance (see pglite-engine.ts, which starts it and
 * defines the messages). It only runs what the main thread sends: protocol batches, a dump of the
 * data directory, and close. PGlite's CPU work (planning, executing, its file system) happens here,
 * off the event loop that serves HTTP.
 *
 * Plain JavaScript on purpose: a worker thread does not inherit tsx's loader hooks on Node 20, and
 * registering them in every worker costs about 300 ms per engine (tests start hundreds); this
 * module starts in about 60 ms with no loader at all.
 */
import { Blob } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/** @type {import('./pglite-engine.js').EngineStart} */
const start = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @param {unknown} error */
const errorOf = (error) => ({
  name: error instanceof Error ? error.name : 'Error',
  message: error instanceof Error ? error.message : String(error),
});

/** Copies the chunks (views into PGlite's memory) into one transferable buffer. @param {Uint8Array[]} chunks */
const joined = (chunks) => {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
};

/**
 * Runs protocol messages through the streaming call with a callback of our own: PGlite's plain
 * `execProtocolRaw`, when no callback is set, keeps what every reply held inside the instance
 * (about 20 KB of heap per 100-row reply, never freed), so a long-lived server grew without bound.
 * @param {PGlite} db @param {Uint8Array} batch
 */
const exec = async (db, batch) => {
  /** @type {Uint8Array[]} */
  const chunks = [];
  await db.execProtocolRawStream(batch, { onRawData: (data) => void chunks.push(data.slice()) });
  return joined(chunks);
};

/** @param {import('./pglite-engine.js').EngineReply} reply @param {ArrayBuffer[]} [transfer] */
const post = (reply, transfer = []) => port.postMessage(reply, transfer);

const main = async () => {
  const options = {
    // pg_trgm backs case-insensitive "contains" searches (records' `q`) with a GIN index, as on a
    // server; btree_gist lets exclusion constraints mix equality with ranges (scheduling).
    extensions: { pg_trgm, btree_gist },
    startParams: [...PGlite.defaultStartParams, ...start.settings],
    ...(start.wasmModule ? { pgliteWasmModule: /** @type {any} */ (start.wasmModule) } : {}),
    ...(start.loadDataDir ? { loadDataDir: new Blob([start.loadDataDir]) } : {}),
  };
  /** @type {PGlite} */
  let db;
  try {
    db = start.dataDir ? await PGlite.create(start.dataDir, options) : await PGlite.create(options);
    const startupReply = await exec(db, start.startupPacket);
    post({ kind: 'ready', startupReply }, [/** @type {ArrayBuffer} */ (startupReply.buffer)]);
  } catch (error) {
    post({ kind: 'failed', error: errorOf(error) });
    return;
  }
  // One request at a time, in arrival order: the main thread already serialises batches, and a
  // dump or close must not overtake a batch sent before it.
  let queue = Promise.resolve();
  port.on('message', (/** @type {import('./pglite-engine.js').EngineRequest} */ request) => {
    queue = queue.then(async () => {
      try {
        if (request.op === 'exec') {
          const reply = await exec(db, request.batch);
          post({ kind: 'result', id: request.id, reply }, [/** @type {ArrayBuffer} */ (reply.buffer)]);
        } else if (request.op === 'dump') {
          const reply = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
          post({ kind: 'result', id: request.id, reply }, [reply.buffer]);
        } else {
          await db.close();
          post({ kind: 'result', id: request.id, reply: new Uint8Array(0) });
          port.close();
        }
      } catch (error) {
        post({ kind: 'error', id: request.id, error: errorOf(error) });
      }
    });
  });
};

void main();
