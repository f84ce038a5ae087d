import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { MemoryJobQueue } from '../../../adapters/memory/memory-job-queue.js';
import { PermanentJobError, type JobContext, type JobHandler } from '../../../core/jobs/ports/job-handler.js';
import type { Job, JobPayload } from '../../../core/jobs/entities/job.js';
import { RunNextJob } from '../../../core/jobs/use-cases/run-next-job.js';
import { ManualClock } from '../../support/manual-clock.js';
import { silentLogger } from '../../support/routes-app.js';

const SETTINGS = { leaseMs: 60_000, maxAttempts: 3, baseBackoffMs: 5_000 };

/** A handler whose runs the test scripts through `outcome`. */
class ScriptedHandler implements JobHandler {
  readonly type = 'test.job';
  runs = 0;
  outcome: () => Promise<JobPayload> = async () => ({ ok: this.runs });

  async run(_job: Job, context: JobContext): Promise<JobPayload> {
    this.runs += 1;
    await context.progress(50);
    return this.outcome();
  }
}

describe('RunNextJob (the job runner step)', () => {
  let clock: ManualClock;
  let queue: MemoryJobQueue;
  let handler: ScriptedHandler;
  let runner: RunNextJob;
  const enqueue = (type = 'test.job') =>
    queue.enqueue({ id: uuidv7(), type, ownerId: uuidv7(), priority: 'default', payload: {}, createdAt: clock.now() });

  beforeEach(() => {
    clock = new ManualClock();
    queue = new MemoryJobQueue();
    handler = new ScriptedHandler();
    runner = new RunNextJob(queue, () => [handler], clock, silentLogger, SETTINGS);
  });

  it('runs a queued job to completion with its result, and is idle when nothing is due', async () => {
    const job = await enqueue();
    expect(await runner.execute()).to.deep.include({ kind: 'ran', outcome: 'completed' });
    expect(await queue.findById(job.id)).to.deep.include({ status: 'completed', progress: 100, attempts: 1, result: { ok: 1 } });
    expect(await runner.execute()).to.deep.equal({ kind: 'idle' });
  });

  it("runs the job inside the scope of the request that asked for it: its log lines carry that request's id", async () => {
    const lines: { message: string; scope: string | null }[] = [];
    let inScope: string | null = null;
    const scope = async <T>(requestId: string | null, work: () => Promise<T>): Promise<T> => {
      inScope = requestId;
      try {
        return await work();
      } finally {
        inScope = null;
      }
    };
    const logger = { ...silentLogger, info: (message: string) => lines.push({ message, scope: inScope }) };
    runner = new RunNextJob(queue, () => [handler], clock, logger, SETTINGS, scope);
    await queue.enqueue({ id: uuidv7(), type: 'test.job', ownerId: uuidv7(), priority: 'default', payload: {}, createdAt: clock.now(), requestId: 'req-export-7' });
    let seenByHandler: string | null = null;
    handler.outcome = async () => {
      seenByHandler = inScope;
      return { ok: true };
    };
    expect(await runner.execute()).to.deep.include({ outcome: 'completed' });
    expect(seenByHandler).to.equal('req-export-7');
    expect(lines).to.deep.equal([
      { message: 'job started', scope: 'req-export-7' },
      { message: 'job completed', scope: 'req-export-7' },
    ]);
  });

  it('retries a failing job with exponential backoff, then fails it for good with the last error', async () => {
    const job = await enqueue();
    handler.outcome = async () => {
      throw new Error(`boom ${handler.runs}`);
    };
    expect(await runner.execute()).to.deep.include({ outcome: 'retry' });
    expect(await queue.findById(job.id)).to.deep.include({ status: 'queued', error: 'boom 1' });
    clock.advanceSeconds(4);
    expect(await runner.execute()).to.deep.equal({ kind: 'idle' });
    clock.advanceSeconds(1);
    expect(await runner.execute()).to.deep.include({ outcome: 'retry' });
    clock.advanceSeconds(9);
    expect(await runner.execute()).to.deep.equal({ kind: 'idle' });
    clock.advanceSeconds(1);
    expect(await runner.execute()).to.deep.include({ outcome: 'failed' });
    expect(await queue.findById(job.id)).to.deep.include({ status: 'failed', error: 'boom 3', attempts: 3 });
  });

  it('fails at once on a PermanentJobError and on a type no handler knows', async () => {
    const permanent = await enqueue();
    handler.outcome = async () => {
      throw new PermanentJobError('bad payload');
    };
    expect(await runner.execute()).to.deep.include({ outcome: 'failed' });
    expect(await queue.findById(permanent.id)).to.deep.include({ status: 'failed', error: 'bad payload', attempts: 1 });
    const unknown = await enqueue('nobody.handles');
    await runner.execute();
    expect(await queue.findById(unknown.id)).to.deep.include({ status: 'failed', error: 'no handler for jobs of type nobody.handles' });
  });

  it('a job whose runner stalled past its lease is run by another runner; the stalled one changes nothing', async () => {
    const job = await enqueue();
    let releaseFirst!: () => void;
    handler.outcome = () =>
      handler.runs === 1 ? new Promise<JobPayload>((resolve) => (releaseFirst = () => resolve({ from: 'stalled' }))) : Promise.resolve({ from: 'second' });
    const stalled = runner.execute();
    await new Promise((r) => setImmediate(r));
    expect(await queue.findById(job.id)).to.deep.include({ status: 'running', attempts: 1, progress: 50 });
    const other = new RunNextJob(queue, () => [handler], clock, silentLogger, SETTINGS);
    expect(await other.execute()).to.deep.equal({ kind: 'idle' });
    clock.advanceSeconds(60);
    expect(await other.execute()).to.deep.include({ outcome: 'completed' });
    releaseFirst();
    expect(await stalled).to.deep.include({ outcome: 'lost' });
    expect(await queue.findById(job.id)).to.deep.include({ status: 'completed', attempts: 2, result: { from: 'second' } });
  });
});
