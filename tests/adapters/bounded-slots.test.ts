import { expect } from 'chai';
import { BoundedSlots } from '../../adapters/argon2/bounded-slots.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

/** Work the test finishes by hand: nothing here depends on time. */
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** Lets the promise jobs already queued run (p-limit starts queued work from a promise callback). */
const settle = async () => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

const refusal = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => null, (e: unknown) => e);

describe('BoundedSlots', () => {
  it('runs at most `concurrency` at once and starts the waiting ones first in, first out', async () => {
    const slots = new BoundedSlots('hashing', { concurrency: 2, maxWaiting: 10 });
    const started: number[] = [];
    const work = Array.from({ length: 5 }, () => deferred<number>());
    const results = work.map((d, i) =>
      slots.run(() => {
        started.push(i);
        return d.promise;
      }),
    );
    await settle();
    expect(started).to.deep.equal([0, 1]);
    expect([slots.running, slots.waiting]).to.deep.equal([2, 3]);
    work[1]!.resolve(1);
    await settle();
    expect(started).to.deep.equal([0, 1, 2]);
    work[0]!.resolve(0);
    await settle();
    expect(started).to.deep.equal([0, 1, 2, 3]);
    work[3]!.resolve(3);
    await settle();
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    work[2]!.resolve(2);
    work[4]!.resolve(4);
    expect(await Promise.all(results)).to.deep.equal([0, 1, 2, 3, 4]);
    expect([slots.running, slots.waiting]).to.deep.equal([0, 0]);
  });

  it('refuses at once, with DependencyUnavailableError naming it, a call beyond the running and waiting bound, and takes calls again once one leaves', async () => {
    const slots = new BoundedSlots('password hashing', { concurrency: 1, maxWaiting: 2 });
    const work = Array.from({ length: 3 }, () => deferred<string>());
    let calls = 0;
    const accepted = work.map((d) =>
      slots.run(() => {
        calls += 1;
        return d.promise;
      }),
    );
    const refused = await refusal(slots.run(async () => 'never'));
    expect(refused).to.be.instanceOf(DependencyUnavailableError);
    expect((refused as DependencyUnavailableError).dependency).to.equal('password hashing');
    await settle();
    expect(calls).to.equal(1);
    expect([slots.running, slots.waiting]).to.deep.equal([1, 2]);

    work[0]!.resolve('a');
    await settle();
    // One left: one more may wait again.
    const fourth = deferred<string>();
    const late = slots.run(() => fourth.promise);
    expect(await refusal(slots.run(async () => 'never'))).to.be.instanceOf(DependencyUnavailableError);
    work[1]!.resolve('b');
    work[2]!.resolve('c');
    fourth.resolve('d');
    expect(await Promise.all([...accepted, late])).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('with no waiting room, refuses whatever finds every slot taken', async () => {
    const slots = new BoundedSlots('hashing', { concurrency: 1, maxWaiting: 0 });
    const first = deferred<number>();
    const running = slots.run(() => first.promise);
    expect(await refusal(slots.run(async () => 2))).to.be.instanceOf(DependencyUnavailableError);
    first.resolve(1);
    expect(await running).to.equal(1);
    expect(await slots.run(async () => 3)).to.equal(3);
  });

  it('frees the slot of work that rejects or throws, and hands the caller that error', async () => {
    const slots = new BoundedSlots('hashing', { concurrency: 1, maxWaiting: 2 });
    const failing = deferred<number>();
    const first = refusal(slots.run(() => failing.promise));
    const second = refusal(
      slots.run(() => {
        throw new Error('synchronous');
      }),
    );
    const third = slots.run(async () => 3);
    // One running, two waiting: the fourth is refused.
    expect(await refusal(slots.run(async () => 4))).to.be.instanceOf(DependencyUnavailableError);
    failing.reject(new Error('argon2 failed'));
    expect(((await first) as Error).message).to.equal('argon2 failed');
    expect(((await second) as Error).message).to.equal('synchronous');
    expect(await third).to.equal(3);
    expect([slots.running, slots.waiting]).to.deep.equal([0, 0]);
  });

  it('rejects a negative or fractional waiting bound', () => {
    expect(() => new BoundedSlots('x', { concurrency: 1, maxWaiting: -1 })).to.throw(RangeError);
    expect(() => new BoundedSlots('x', { concurrency: 1, maxWaiting: 1.5 })).to.throw(RangeError);
    expect(() => new BoundedSlots('x', { concurrency: 0, maxWaiting: 1 })).to.throw();
  });
});
