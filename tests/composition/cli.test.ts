import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { progressOn } from '../../composition/main/progress.js';
import { spawnScript } from '../support/processes.js';

/** `npm run cli` as an operator meets it: help for every command, and `seed` through a pipe (no terminal). */

const COMMANDS = ['migrate', 'create-admin', 'seed', 'maintenance'];
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

const cli = async (args: string[], env: Record<string, string>, cwd: string) => {
  const run = spawnScript('composition/main/cli.ts', args, env, cwd);
  const { code } = await run.exited;
  return { code, output: run.output() };
};

describe('the CLI for people', function () {
  // Real processes that compile the whole CLI with tsx: slow on a loaded machine, never timed.
  this.timeout(300_000);
  let workDir: string;

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'portside-cli-'));
  });
  after(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('every command explains itself with --help: usage, each option, an example, exit codes (nothing is opened)', async () => {
    // A data directory that cannot be made (under a plain file): a command that opened anything would fail instead of answering.
    await writeFile(path.join(workDir, 'a-file'), '');
    const env = { DATA_DIR: path.join(workDir, 'a-file', 'data') };
    const helps = await Promise.all(COMMANDS.map((command) => cli([command, '--help'], env, workDir)));
    COMMANDS.forEach((command, i) => {
      const { code, output } = helps[i]!;
      expect(code, output).to.equal(0);
      expect(output).to.match(new RegExp(`^Usage: npm run cli -- ${command}`));
      expect(output).to.contain('\nOptions:\n').and.contain('-h, --help').and.contain('\nExamples:\n  npm run cli -- ').and.contain('Exit codes: 0 done, 1 failed, 2 usage error.');
    });
    expect(helps[1]!.output).to.contain('--username U').and.contain('--password P');
    expect(helps[2]!.output).to.contain('--password P');
  });

  it('a mistyped command or a bad option is a usage error that shows the way', async () => {
    const typo = await cli(['migrat'], {}, workDir);
    expect(typo.code).to.equal(2);
    expect(typo.output).to.contain('Unknown command: migrat (did you mean migrate?)').and.contain('Commands:');
    const option = await cli(['seed', '--passwd', 'x'], {}, workDir);
    expect(option.code).to.equal(2);
    expect(option.output).to.contain("Unknown option '--passwd'").and.contain('Usage: npm run cli -- seed [--password P]').and.contain('--password P');
  });

  it('a data directory it cannot write is one line naming DATA_DIR and the fix, not a stack trace', async () => {
    await writeFile(path.join(workDir, 'not-a-dir'), '');
    const dataDir = path.join(workDir, 'not-a-dir', 'data');
    const failed = await cli(['seed'], { DATA_DIR: dataDir }, workDir);
    expect(failed.code).to.equal(1);
    expect(failed.output.trimEnd().split('\n')).to.deep.equal([
      `DATA_DIR: cannot write ${path.join(dataDir, 'db')} (ENOTDIR); point DATA_DIR at a directory this user can create and write, or fix its permissions`,
    ]);
  });

  it('seed without a terminal prints one plain line per step, then what it made and how to log in; a refused password says what to do', async () => {
    const env = { DATA_DIR: path.join(workDir, 'data'), LOG_LEVEL: 'warn', ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1', PORT: '4321' };
    const seeded = await cli(['seed', '--password', 'demo passphrase 42'], env, workDir);
    expect(seeded.code, seeded.output).to.equal(0);
    expect(seeded.output).to.not.match(ANSI);
    const lines = seeded.output.trimEnd().split('\n');
    const steps = lines.filter((l) => /^\[\d+\/12\] /.test(l));
    expect(steps.map((l) => l.slice(0, l.indexOf(']') + 1))).to.deep.equal(Array.from({ length: 12 }, (_, i) => `[${i + 1}/12]`));
    expect(steps[0]).to.equal('[1/12] account demo_giver <giver@portside.example>');
    expect(lines[lines.indexOf(steps[11]!) + 1]).to.equal('Seeded 4 demo account(s), 3 records and 61 schedules:');
    expect(seeded.output).to.contain('Password of every demo account: "demo passphrase 42"');
    expect(seeded.output).to.contain('curl -sS http://localhost:4321/api/v1/auth/login').and.contain('http://localhost:4321/api/docs');

    const refused = await cli(['seed', '--password', 'short'], env, workDir);
    expect(refused.code).to.equal(1);
    expect(refused.output).to.contain('Could not reset demo_giver: --password must be at least 8 characters');
    expect(refused.output).to.contain("Choose another, e.g. npm run cli -- seed --password '");
  });

  it('on a terminal the steps are a progress bar, cleared at the end', () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let written = '';
    terminal.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const progress = progressOn(terminal);
    progress.start(3);
    for (const step of ['one', 'two', 'three']) progress.step(step);
    progress.stop();
    expect(written).to.match(ANSI);
    expect(written).to.contain('Seeding [').and.contain('3/3 three');
    expect(written).to.not.contain('[1/3]');
  });

  it('without a terminal the same steps are plain lines', () => {
    const pipe = new PassThrough();
    let written = '';
    pipe.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const progress = progressOn(pipe);
    progress.start(2);
    progress.step('one');
    progress.step('two');
    progress.stop();
    expect(written).to.equal('[1/2] one\n[2/2] two\n');
  });
});
