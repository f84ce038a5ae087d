import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import type { Client } from 'minio';
import sinon from 'sinon';
import { MinioObjectStorage } from '../../adapters/minio/minio-object-storage.js';

/** The store's stream failing mid-body must reach whoever reads the range, not go unhandled. */
describe('MinioObjectStorage: a ranged read whose connection fails', () => {
  afterEach(() => sinon.restore());

  it('fails the stream the caller reads, instead of an unhandled error or a read that never ends', async () => {
    const storage = new MinioObjectStorage({ endpoint: 'http://127.0.0.1:1', accessKey: 'a', secretKey: 'b', bucket: 'c' });
    const client = (storage as unknown as { client: Client }).client;
    const source = new PassThrough();
    sinon.stub(client, 'statObject').resolves({ size: 1000 } as Awaited<ReturnType<Client['statObject']>>);
    sinon.stub(client, 'getPartialObject').resolves(source as unknown as Awaited<ReturnType<Client['getPartialObject']>>);
    const content = await storage.get('k', { start: 0, end: 499 });
    source.write(Buffer.alloc(100));
    setImmediate(() => source.destroy(new Error('connection reset by the store')));
    const outcome = await (async () => {
      try {
        for await (const _chunk of content!.body);
        return 'ended';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(outcome).to.equal('connection reset by the store');
  });
});
