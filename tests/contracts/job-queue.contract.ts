import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { JobPriority } from '../../core/jobs/entities/job.js';
import type { JobQueue } from '../../core/jobs/ports/job-queue.js';

export interface JobQueueFixture {
  readonly queue: JobQueue;
  /** Empties the queue (between tests). */
  reset(): Promise<void>;
  close?(): Promise<void>;
}

const T0 = new Date('2031-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const LEASE = 60;

/** The JobQueue port, the same on every adapter. */
export const jobQueueContract = (name: string, setup: (ctx: Mocha.Context) => Promise<JobQueueFixture>): void => {
  describe(`JobQueue contract: ${name}`, function () {
    let fixture: JobQueueFixture | undefined;
    let queue: JobQueue;
    before(async function () {
      this.timeout(180_000);
      fixture = await setup(this);
    });
    beforeEach(async () => {
      await fixture!.reset();
      queue = fixture!.queue;
    });
    after(async () => fixture?.close?.());

    const owner = uuidv7();
    const enqueue = (createdAt: Date, priority: JobPriority = 'default', payload: Record<string, unknown> = { n: 1 }) =>
      queue.enqueue({ id: uuidv7(), type: 'test.job', ownerId: owner, priority, payload, createdAt });

    it('stores a queued job and reads it back by id', async () => {
      const job = await enqueue(at(0), 'low', { format: 'csv', nested: { a: [1, 2] } });
      const read = await queue.findById(job.id);
      expect(read).to.deep.include({ type: 'test.job', ownerId: owner, priority: 'low', status: 'queued', progress: 0, result: null, error: null, attempts: 0 });
      expect(read!.payload).to.deep.equal({ format: 'csv', nested: { a: [1, 2] } });
      expect(read!.createdAt.toISOString()).to.equal(at(0).toISOString());
      expect(read!.startedAt).to.equal(null);
      expect(await queue.findById(uuidv7())).to.equal(null);
    });

    it('keeps the id of the request that enqueued a job (null when none), through reads and claims', async () => {
      const traced = await queue.enqueue({ id: uuidv7(), type: 'test.job', ownerId: owner, priority: 'default', payload: {}, createdAt: at(0), requestId: 'req-42' });
      const untraced = await enqueue(at(1));
      expect(traced.requestId).to.equal('req-42');
      expect((await queue.findById(traced.id))!.requestId).to.equal('req-42');
      expect((await queue.findById(untraced.id))!.requestId).to.equal(null);
      expect((await queue.claim(at(10), at(10 + LEASE)))!.requestId).to.equal('req-42');
    });

    it('claims by priority, then oldest first, one job per claim', async () => {
      const lowOld = await enqueue(at(0), 'low');
      const defaultNew = await enqueue(at(2), 'default');
      const defaultOld = await enqueue(at(1), 'default');
      const high = await enqueue(at(3), 'high');
      const order: string[] = [];
      for (let i = 0; i < 4; i += 1) order.push((await queue.claim(at(10), at(10 + LEASE)))!.id);
      expect(order).to.deep.equal([high.id, defaultOld.id, defaultNew.id, lowOld.id]);
      expect(await queue.claim(at(10), at(10 + LEASE))).to.equal(null);
    });

    it('concurrent claims take different jobs: each queued job is claimed exactly once', async () => {
      const jobs = await Promise.all(Array.from({ length: 12 }, (_, i) => enqueue(at(i))));
      const claims = await Promise.all(Array.from({ length: 16 }, () => queue.claim(at(100), at(100 + LEASE))));
      const ids = claims.flatMap((j) => (j ? [j.id] : []));
      expect(ids).to.have.length(12);
      expect(new Set(ids)).to.deep.equal(new Set(jobs.map((j) => j.id)));
    });

    it('leases a claimed job: running with one attempt, taken again only once the lease ran out', async () => {
      const job = await enqueue(at(0));
      const claimed = await queue.claim(at(10), at(10 + LEASE));
      expect(claimed).to.deep.include({ id: job.id, status: 'running', attempts: 1 });
      expect(claimed!.startedAt!.toISOString()).to.equal(at(10).toISOString());
      expect(await queue.claim(at(10 + LEASE - 1), at(20 + LEASE))).to.equal(null);
      const again = await queue.claim(at(10 + LEASE), at(10 + 2 * LEASE));
      expect(again).to.deep.include({ id: job.id, status: 'running', attempts: 2 });
      // The stalled runner's writes no longer count.
      expect(await queue.complete(job.id, 1, { stale: true }, at(10 + LEASE + 1))).to.equal(false);
      expect((await queue.findById(job.id))!.status).to.equal('running');
    });

    it('records progress and extends the lease with it', async () => {
      const job = await enqueue(at(0));
      await queue.claim(at(10), at(10 + LEASE));
      expect(await queue.progress(job.id, 1, 40, at(50), at(50 + LEASE))).to.equal(true);
      expect((await queue.findById(job.id))!.progress).to.equal(40);
      // The original lease ended at 70; progress moved it to 110.
      expect(await queue.claim(at(10 + LEASE + 1), at(200))).to.equal(null);
      expect((await queue.claim(at(50 + LEASE), at(200)))!.attempts).to.equal(2);
    });

    it('completes a job with its result; it is never claimed again', async () => {
      const job = await enqueue(at(0));
      await queue.claim(at(10), at(10 + LEASE));
      expect(await queue.complete(job.id, 1, { file_id: 'f-1' }, at(20))).to.equal(true);
      const done = await queue.findById(job.id);
      expect(done).to.deep.include({ status: 'completed', progress: 100, error: null, attempts: 1 });
      expect(done!.result).to.deep.equal({ file_id: 'f-1' });
      expect(done!.finishedAt!.toISOString()).to.equal(at(20).toISOString());
      expect(await queue.claim(at(10_000), at(10_100))).to.equal(null);
    });

    it('fails a job for good with its error, or queues it again from the retry time', async () => {
      const retried = await enqueue(at(0));
      await queue.claim(at(10), at(10 + LEASE));
      expect(await queue.fail(retried.id, 1, 'disk full', at(11), at(30))).to.equal(true);
      expect(await queue.findById(retried.id)).to.deep.include({ status: 'queued', error: 'disk full', finishedAt: null });
      expect(await queue.claim(at(29), at(29 + LEASE))).to.equal(null);
      expect(await queue.claim(at(30), at(30 + LEASE))).to.deep.include({ id: retried.id, attempts: 2 });
      expect(await queue.fail(retried.id, 2, 'bad payload', at(31), null)).to.equal(true);
      const failed = await queue.findById(retried.id);
      expect(failed).to.deep.include({ status: 'failed', error: 'bad payload', attempts: 2 });
      expect(failed!.finishedAt!.toISOString()).to.equal(at(31).toISOString());
      expect(await queue.claim(at(10_000), at(10_100))).to.equal(null);
    });
  });
};
