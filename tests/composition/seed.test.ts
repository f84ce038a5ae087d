import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import sinon from 'sinon';
import { bootstrap, type Runtime } from '../../composition/bootstrap.js';
import type { Progress } from '../../composition/main/progress.js';
import { seedCommand } from '../../composition/main/seed.js';
import { IDENTITY } from '../../composition/modules/identity.js';
import { RECORDS } from '../../composition/modules/records.js';
import { SCHEDULING } from '../../composition/modules/scheduling.js';

describe('cli seed (embedded database)', () => {
  let dataDir: string;
  let runtime: Runtime;
  before(async function () {
    // Starting and migrating the embedded database is slow on a loaded machine.
    this.timeout(60_000);
    dataDir = await mkdtemp(path.join(tmpdir(), 'portside-seed-'));
    runtime = await bootstrap({ DATA_DIR: dataDir, LOG_LEVEL: 'error', NODE_ENV: 'test', ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1' }, { migrate: true });
  });
  after(async () => {
    await runtime?.infra.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** What a terminal-less run reports, step by step. */
  const steps = () => {
    const lines: string[] = [];
    let total = 0;
    const progress: Progress = { start: (n) => (total = n), step: (what) => lines.push(`[${lines.length + 1}/${total}] ${what}`), stop: () => undefined };
    return { progress, lines };
  };

  it('adds givers and takers who can log in, records owned by the giver and a week of schedules, step by step; a second run adds nothing', async () => {
    const print = sinon.stub(console, 'log');
    const first = steps();
    try {
      expect(await seedCommand.run(runtime, { password: 'demo passphrase 42' }, first.progress)).to.equal(0);
      expect(await seedCommand.run(runtime, {}, steps().progress)).to.equal(0);
      expect(print.callCount).to.equal(2);
      expect(print.secondCall.args[0]).to.contain('Nothing to add');
    } finally {
      print.restore();
    }
    // Every announced step is taken, and the last line is the whole count.
    expect(first.lines).to.have.length(12);
    expect(first.lines[0]).to.equal('[1/12] account demo_giver <giver@portside.example>');
    expect(first.lines[11]).to.equal('[12/12] demo_taker asked demo_giver2 for an evening hour');
    // It ends with what it made and how to log in.
    const summary = String(print.firstCall.args[0]);
    expect(summary).to.contain('Seeded 4 demo account(s), 3 records and 61 schedules:');
    for (const name of ['demo_giver ', 'demo_giver2', 'demo_taker ', 'demo_taker2']) expect(summary).to.contain(`  ${name}`);
    expect(summary).to.contain('Password of every demo account: "demo passphrase 42"');
    expect(summary).to.contain(`curl -sS http://localhost:${runtime.config.http.port}/api/v1/auth/login`);
    expect(summary).to.contain('{"username":"demo_giver","password":"demo passphrase 42"}');
    const uc = runtime.container.get(IDENTITY.UseCases);
    const login = await uc.logIn.execute({ identifier: { kind: 'username', value: 'demo_giver' }, password: 'demo passphrase 42', client: { ip: null, userAgent: null } });
    if (E.isLeft(login)) throw new Error('the seeded giver cannot log in');
    const giver = await uc.authenticate.execute(login.right.accessToken);
    if (E.isLeft(giver)) throw new Error('the seeded giver cannot authenticate');
    expect(giver.right).to.include({ role: 'giver', isAdmin: false });
    const records = await runtime.container.get(RECORDS.ListRecords).execute(giver.right, {
      sort: { field: 'name', direction: 'asc' },
      page: { page: 1, size: 20 },
    });
    if (E.isLeft(records)) throw new Error('listing failed');
    expect(records.right.total).to.equal(3);
    // A working week of hourly slots (6 a day, weekdays of the next seven days), two of them booked.
    const list = runtime.container.get(SCHEDULING.ListSchedules);
    const page = { page: 1, size: 100 };
    const sort = { field: 'starts_at', direction: 'asc' } as const;
    const own = await list.execute(giver.right, { giverId: giver.right.userId, sort, page });
    if (E.isLeft(own)) throw new Error('listing schedules failed');
    expect(own.right.total).to.equal(30);
    expect(own.right.items.filter((s) => s.status === 'booked')).to.have.length(2);
    expect(new Set(own.right.items.map((s) => s.startsAt.getUTCDay()))).to.not.include.members([0, 6]);
    const admin = { ...giver.right, isAdmin: true };
    const pending = await list.execute(admin, { status: 'pending', sort, page });
    if (E.isLeft(pending)) throw new Error('listing schedules failed');
    expect(pending.right.items.map((s) => s.note)).to.deep.equal(['Could we do an evening hour?']);
  });

  it('a rerun with --password resets the demo password (and ends their sessions), so a lost one is never lost for good', async () => {
    const print = sinon.stub(console, 'log');
    try {
      expect(await seedCommand.run(runtime, { password: 'a brand new passphrase 7' }, steps().progress)).to.equal(0);
      expect(print.lastCall.args[0]).to.contain('Reset the password of demo_giver, demo_giver2, demo_taker, demo_taker2');
    } finally {
      print.restore();
    }
    const uc = runtime.container.get(IDENTITY.UseCases);
    const logIn = (password: string) =>
      uc.logIn.execute({ identifier: { kind: 'username', value: 'demo_taker' }, password, client: { ip: null, userAgent: null } });
    expect(E.isRight(await logIn('a brand new passphrase 7'))).to.equal(true);
    expect(E.isLeft(await logIn('demo passphrase 42'))).to.equal(true);
    // A password the policy refuses is refused here too, and changes nothing.
    const error = sinon.stub(console, 'error');
    try {
      expect(await seedCommand.run(runtime, { password: 'short' }, steps().progress)).to.equal(1);
      expect(error.firstCall.args[0]).to.contain('--password must be at least 8 characters').and.contain("Choose another, e.g. npm run cli -- seed --password '");
    } finally {
      error.restore();
    }
    expect(E.isRight(await logIn('a brand new passphrase 7'))).to.equal(true);
  });

  it('is refused in production', async () => {
    const error = sinon.stub(console, 'error');
    try {
      expect(await seedCommand.run({ ...runtime, config: { ...runtime.config, env: 'production' } }, {}, steps().progress)).to.equal(2);
      expect(error.firstCall.args[0]).to.contain('npm run cli -- create-admin');
    } finally {
      error.restore();
    }
  });
});
