import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** s3rver's fixed credentials. */
  readonly accessKey: string;
  readonly secretKey: string;
  close(): Promise<void>;
}

/** An S3-protocol server on a random local port, storing under a fresh temp dir removed on close. */
export const startS3Server = async (): Promise<TestS3Server> => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'portside-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    async close() {
      // Clients keep connections alive; without this the close waits for them to time out.
      const closing = server.close();
      server.httpServer?.closeAllConnections();
      await closing;
      await rm(directory, { recursive: true, force: true });
    },
  };
};
