import { expect } from 'chai';
import type { Worker } from 'node:worker_threads';
import { QueryTypes } from 'sequelize';
import { closeDatabase, guarded, openPostgres } from '../../adapters/postgres/database.js';
import { EmbeddedEngineError, PgliteEngine } from '../../adapters/postgres/pglite-engine.js';
import { PgliteSession, startupPacket } from '../../adapters/postgres/pglite-driver.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

/** The engine's worker thread, reached the way only a test should: to make it die. */
const workerOf = (engine: PgliteEngine): Worker => (engine as unknown as { worker: Worker }).worker;

const SELECT_1 = (() => {
  const body = Buffer.from('SELECT 1\0', 'utf8');
  const head = Buffer.alloc(5);
  head.write('Q', 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
})();

describe('PGlite engine on its worker thread', function () {
  this.timeout(60_000);

  it('answers protocol batches, and when its thread dies every waiting and later batch fails as a shutdown (57P01), none hangs', async () => {
    const engine = await PgliteEngine.start({ settings: [], startupPacket: startupPacket() });
    const reply = await engine.exec(SELECT_1);
    expect(reply.includes(Buffer.from('SELECT 1\0', 'latin1'))).to.equal(true);

    const inFlight = engine.exec(SELECT_1).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await workerOf(engine).terminate();
    const outcome = await inFlight;
    // The batch sent just before may have been answered first; if not, it failed, never hung.
    if (outcome !== 'answered') {
      expect(outcome).to.be.instanceOf(EmbeddedEngineError);
      expect((outcome as EmbeddedEngineError).code).to.equal('57P01');
    }
    const later = await engine.exec(SELECT_1).catch((error: unknown) => error);
    expect(later).to.be.instanceOf(EmbeddedEngineError);
    expect((later as EmbeddedEngineError).code).to.equal('57P01');
    await engine.close(); // nothing left to close: returns at once
  });

  it('a startup that fails (a data directory PGlite cannot use) rejects instead of leaving a thread behind', async () => {
    const error = await PgliteEngine.start({ dataDir: '/proc/version/pgdata', settings: [], startupPacket: startupPacket() }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
  });

  it('through Sequelize, as the repositories use it: a query after the engine died is a DependencyUnavailableError (the API answers 503)', async () => {
    const engine = await PgliteEngine.start({ settings: [], startupPacket: startupPacket() });
    const session = PgliteSession.open(engine);
    const db = openPostgres({ connect: () => session.connect(), poolMax: 2, connectTimeoutMs: 2_000 });
    try {
      const rows = await guarded(() => db.sequelize.query<{ one: number }>('SELECT 1 AS one', { type: QueryTypes.SELECT }));
      expect(rows[0]?.one).to.equal(1);
      await workerOf(engine).terminate();
      const failed = await guarded(() => db.sequelize.query('SELECT 1', { type: QueryTypes.SELECT })).catch((e: unknown) => e);
      expect(failed).to.be.instanceOf(DependencyUnavailableError);
    } finally {
      await closeDatabase(db).catch(() => undefined);
      session.close();
    }
  });
});
