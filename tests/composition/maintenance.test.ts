import { mkdtemp, mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { LocalDiskObjectStorage } from '../../adapters/local-disk/local-disk-object-storage.js';
import { runMaintenance, scheduleMaintenance, type MaintenanceTask } from '../../composition/maintenance.js';
import { bootstrap } from '../../composition/bootstrap.js';
import { silentLogger } from '../support/routes-app.js';

const clock = { now: () => new Date('2030-01-01T00:00:00Z') };

describe('maintenance (composition/maintenance.ts)', () => {
  it('runs every task, and a failing one neither throws nor stops the others', async () => {
    const ran: string[] = [];
    const tasks: MaintenanceTask[] = [
      { name: 'a', run: async () => void ran.push('a') },
      { name: 'broken', run: async () => Promise.reject(new Error('database down')) },
      { name: 'c', run: async (now) => void ran.push(`c@${now.toISOString()}`) },
    ];
    expect(await runMaintenance(tasks, clock, silentLogger)).to.equal(1);
    expect(ran).to.deep.equal(['a', 'c@2030-01-01T00:00:00.000Z']);
  });

  it('runs after the first delay, then periodically, and not after stop', async () => {
    const timers = sinon.useFakeTimers();
    try {
      let runs = 0;
      const stop = scheduleMaintenance([{ name: 'count', run: async () => void (runs += 1) }], clock, silentLogger, {
        firstRunAfterMs: 1_000,
        everyMs: 10_000,
      });
      await timers.tickAsync(999);
      expect(runs).to.equal(0);
      await timers.tickAsync(1);
      expect(runs).to.equal(1);
      await timers.tickAsync(10_000);
      expect(runs).to.equal(2);
      await stop();
      await timers.tickAsync(100_000);
      expect(runs).to.equal(2);
    } finally {
      timers.restore();
    }
  });

  it('local disk: removes partial uploads older than the cut-off and nothing else', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'portside-maint-'));
    try {
      const storage = new LocalDiskObjectStorage({ root, linkSecret: Buffer.alloc(32, 7) });
      await mkdir(path.join(root, 'tmp'), { recursive: true });
      const old = path.join(root, 'tmp', 'crashed.part');
      const fresh = path.join(root, 'tmp', 'in-progress.part');
      await writeFile(old, 'half an upload');
      await writeFile(fresh, 'still arriving');
      const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
      await utimes(old, twoDaysAgo, twoDaysAgo);
      const cutOff = new Date(Date.now() - 86_400_000);
      expect(await storage.purgeAbandonedUploads(cutOff)).to.equal(1);
      expect(await readdir(path.join(root, 'tmp'))).to.deep.equal(['in-progress.part']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('the embedded deployment registers its housekeeping: sessions, idempotency keys, delivered events, abandoned uploads, orphaned objects, old audit entries and read notifications', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'portside-maint-'));
    const runtime = await bootstrap({ DATA_DIR: dataDir, LOG_LEVEL: 'error', NODE_ENV: 'test' }, { migrate: true });
    try {
      expect(runtime.infra.maintenance.map((t) => t.name)).to.have.members([
        'expired sessions',
        'expired idempotency keys',
        'delivered outbox events',
        'abandoned uploads',
        'orphaned file objects',
        'expired audit entries',
        'old read notifications',
        'stale schedules (started while available or pending)',
      ]);
      expect(await runMaintenance(runtime.infra.maintenance, clock, silentLogger)).to.equal(0);
    } finally {
      await runtime.infra.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
