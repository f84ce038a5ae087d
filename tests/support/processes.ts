import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for scripts run as real processes. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tsx = import.meta.resolve('tsx');

/** SIGKILLs whichever of `children` still run (what a failed test left behind) and waits for them to exit. */
export const killRemaining = async (children: Iterable<ChildProcess>): Promise<void> => {
  const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  for (const child of alive) child.kill('SIGKILL');
  await Promise.all(alive.map((c) => once(c, 'exit')));
};

/** A loopback port nothing listens on right now. */
export const freePort = async (): Promise<number> => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
};

export interface ScriptProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A repository script (e.g. `composition/main/server.ts`) run by Node with tsx, as a real process
 * with only PATH, HOME and the given environment (no developer `.env` leaks in: run it from `cwd`).
 */
export const spawnScript = (script: string, args: readonly string[], env: Readonly<Record<string, string>>, cwd: string): ScriptProcess => {
  const child = spawn(process.execPath, ['--import', tsx, path.join(ROOT, script), ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? os.homedir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, output: () => output, exited };
};
