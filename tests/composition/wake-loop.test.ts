import { expect } from 'chai';
import { WakeLoop, type RoundResult } from '../../composition/wake-loop.js';

/** A round the test finishes by hand, so interleavings are driven step by step. */
const manualRounds = () => {
  const pending: ((r: RoundResult) => void)[] = [];
  let started = 0;
  return {
    round: () => {
      started += 1;
      return new Promise<RoundResult>((resolve) => pending.push(resolve));
    },
    started: () => started,
    finishNext: async (r: RoundResult) => {
      pending.shift()!(r);
      await new Promise((resolve) => setImmediate(resolve));
    },
    running: () => pending.length,
  };
};

describe('WakeLoop (the outbox relay and the job runner)', () => {
  it('a wake that arrives while the only slot is busy runs one more round, so no commit waits for the poll', async () => {
    const r = manualRounds();
    const loop = new WakeLoop(r.round, () => undefined, 3_600_000);
    loop.wake();
    loop.wake();
    loop.wake();
    expect(r.started()).to.equal(1);
    await r.finishNext('done');
    expect(r.started()).to.equal(2);
    await r.finishNext('done');
    expect(r.started()).to.equal(2);
    await loop.stop();
  });

  it('runs rounds while they find more work, in up to `concurrency` slots', async () => {
    const r = manualRounds();
    const loop = new WakeLoop(r.round, () => undefined, 3_600_000, 2);
    loop.wake();
    await r.finishNext('more');
    expect(r.running()).to.equal(2);
    await r.finishNext('done');
    await r.finishNext('done');
    expect(r.running()).to.equal(0);
    await loop.idle();
    await loop.stop();
  });

  it('a failing round is reported and ends its slot; the next wake runs again', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new WakeLoop(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
        return 'done';
      },
      (error) => errors.push(error),
      3_600_000,
    );
    loop.wake();
    await loop.idle();
    expect(errors).to.have.length(1);
    loop.wake();
    await loop.idle();
    expect(calls).to.equal(2);
    await loop.stop();
    loop.wake();
    expect(calls).to.equal(2);
  });
});
