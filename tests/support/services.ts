import net from 'node:net';

/**
 * Integration tests need real services. Locally they skip with a visible notice when a service is
 * down; under CI=true they are mandatory and a missing service fails the run.
 */
export const ciMandatory = (): boolean => process.env['CI'] === 'true' || process.env['CI'] === '1';

const reachable = (host: string, port: number, timeoutMs = 1000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

export const POSTGRES_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const skipped = new Set<string>();

/** Skips the calling test/hook (or fails under CI) when the service at `url` is not reachable. */
export const requireService = async (ctx: Mocha.Context, name: string, url: string): Promise<void> => {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432));
  if (await reachable(u.hostname, port)) return;
  if (ciMandatory()) throw new Error(`${name} at ${u.host} is required under CI=true but is not reachable`);
  if (!skipped.has(name)) {
    skipped.add(name);
    console.warn(`\n  ⚠ ${name} is not reachable at ${u.host}: its integration tests are SKIPPED (mandatory under CI=true)\n`);
  }
  ctx.skip();
};
