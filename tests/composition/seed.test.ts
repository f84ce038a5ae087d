import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import sinon from 'sinon';
import { bootstrap, type Runtime } from '../../composition/bootstrap.js';
import { seedCommand } from '../../composition/main/seed.js';
import { IDENTITY } from '../../composition/modules/identity.js';
import { RECORDS } from '../../composition/modules/records.js';

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

  it('adds a giver and a taker who can log in, and records owned by the giver; a second run adds nothing', async () => {
    const print = sinon.stub(console, 'log');
    try {
      expect(await seedCommand.run(runtime, { password: 'demo passphrase 42' })).to.equal(0);
      expect(await seedCommand.run(runtime, {})).to.equal(0);
      expect(print.callCount).to.equal(2);
      expect(print.secondCall.args[0]).to.contain('Nothing to add');
    } finally {
      print.restore();
    }
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
  });

  it('a rerun with --password resets the demo password (and ends their sessions), so a lost one is never lost for good', async () => {
    const print = sinon.stub(console, 'log');
    try {
      expect(await seedCommand.run(runtime, { password: 'a brand new passphrase 7' })).to.equal(0);
      expect(print.lastCall.args[0]).to.contain('Reset the password of demo_giver, demo_taker');
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
      expect(await seedCommand.run(runtime, { password: 'short' })).to.equal(1);
    } finally {
      error.restore();
    }
    expect(E.isRight(await logIn('a brand new passphrase 7'))).to.equal(true);
  });

  it('is refused in production', async () => {
    const error = sinon.stub(console, 'error');
    try {
      expect(await seedCommand.run({ ...runtime, config: { ...runtime.config, env: 'production' } }, {})).to.equal(2);
    } finally {
      error.restore();
    }
  });
});
