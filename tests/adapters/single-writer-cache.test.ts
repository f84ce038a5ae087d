import { expect } from 'chai';
import { SingleWriterCache } from '../../adapters/postgres/single-writer-cache.js';
import { mayHaveWritten } from '../../adapters/postgres/pglite-driver.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('SingleWriterCache', () => {
  it('answers a kept value without loading until the write generation moves', async () => {
    let generation = 0;
    let loads = 0;
    const cache = new SingleWriterCache<string>(() => generation);
    const load = async () => `v${++loads}`;
    expect(await cache.get('k', load)).to.equal('v1');
    expect(await cache.get('k', load)).to.equal('v1');
    generation += 1;
    expect(await cache.get('k', load)).to.equal('v2');
    expect(loads).to.equal(2);
  });

  it('does not keep a value whose read overlapped a write', async () => {
    let generation = 0;
    const cache = new SingleWriterCache<string>(() => generation);
    const slow = deferred<string>();
    const pending = cache.get('k', () => slow.promise);
    generation += 1; // a write completes while the read is in flight
    slow.resolve('old');
    expect(await pending).to.equal('old');
    expect(await cache.get('k', async () => 'new')).to.equal('new');
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const cache = new SingleWriterCache<number>(() => 0, 2);
    for (const key of ['a', 'b', 'c']) await cache.get(key, async () => 1);
    expect(cache.size).to.equal(2);
    let reloaded = false;
    await cache.get('a', async () => ((reloaded = true), 2));
    expect(reloaded).to.equal(true);
  });
});

describe('mayHaveWritten (the embedded driver\'s write generation)', () => {
  const complete = (tag: string): Buffer => {
    const body = Buffer.from(`${tag}\0`, 'latin1');
    const head = Buffer.alloc(5);
    head.write('C', 0, 'latin1');
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  };
  const ready = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);

  it('counts data-changing commands and anything unknown as writes', () => {
    for (const tag of ['INSERT 0 1', 'UPDATE 3', 'DELETE 0', 'MERGE 1', 'COPY 10', 'CREATE TABLE', 'TRUNCATE TABLE', 'DO', 'CALL', 'SOMETHING NEW']) {
      expect(mayHaveWritten(Buffer.concat([complete(tag), ready])), tag).to.equal(true);
    }
  });

  it('counts reads, transaction control and an error-only reply as no write', () => {
    for (const tag of ['SELECT 5', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SET', 'SHOW', 'FETCH 100', 'DECLARE CURSOR', 'CLOSE CURSOR']) {
      expect(mayHaveWritten(Buffer.concat([complete(tag), ready])), tag).to.equal(false);
    }
    expect(mayHaveWritten(ready)).to.equal(false);
    expect(mayHaveWritten(Buffer.concat([complete('SELECT 1'), complete('UPDATE 1'), ready]))).to.equal(true);
  });
});
