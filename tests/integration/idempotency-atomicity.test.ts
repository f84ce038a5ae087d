import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { TOKENS } from '../../composition/tokens.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';
import type { IdempotencyStore } from '../../core/shared/ports/idempotency-store.js';
import type { UnitOfWork } from '../../core/shared/ports/unit-of-work.js';
import { identityClient, type IdentityClient, type UserBody } from '../http/identity-client.js';
import { createServerDatabase } from '../support/databases.js';
import { aPng } from '../support/file-samples.js';
import { ManualClock } from '../support/manual-clock.js';
import { POSTGRES_URL, requireService } from '../support/services.js';

const MINUTE = 60;
const HOUR = 3600;

/**
 * An Idempotency-Key's stored response commits in the unit of work of the effect it answers, on
 * every store: when storing it fails the effect is rolled back, and a request that lost its claim
 * to a retry rolls back too, so a retry at any later time either replays the first answer or finds
 * no effect at all.
 */
const atomicOnProfile = (name: string, setup: (ctx: Mocha.Context) => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>) => {
  describe(`Idempotency-Key and its effect commit together: ${name}`, function () {
    this.timeout(60_000);
    const clock = new ManualClock();
    let c: IdentityClient;
    let cleanup: (() => Promise<void>) | undefined;
    let user: UserBody;
    before(async function () {
      const s = await setup(this);
      cleanup = s.cleanup;
      c = await identityClient(s.env, { migrate: s.env['PROFILE'] !== 'memory', clock });
      user = await c.register();
    });
    afterEach(() => sinon.restore());
    after(async () => {
      await c?.close();
      await cleanup?.();
    });

    // Logged in afresh for every call: the clock moves by hours and access tokens last minutes.
    const bearer = async () => c.bearer((await c.login(user)).access_token);
    const postRecord = async (key: string, status?: number) => {
      const res = await request(c.app).post('/api/v1/records').set(await bearer()).set('Idempotency-Key', key).send({ name: `for ${key}` });
      if (status !== undefined) expect(res.status, JSON.stringify(res.body)).to.equal(status);
      return res;
    };
    const recordsNamed = async (key: string) => {
      const res = await request(c.app).get('/api/v1/records').query({ q: `for ${key}` }).set(await bearer()).expect(200);
      return (res.body.data.items as { id: string }[]).map((r) => r.id);
    };
    const postFile = async (key: string, bytes: Buffer, status?: number) => {
      const res = await request(c.app)
        .post('/api/v1/files')
        .set(await bearer())
        .set('Idempotency-Key', key)
        .attach('file', bytes, { filename: `${key}.png`, contentType: 'image/png' });
      if (status !== undefined) expect(res.status, JSON.stringify(res.body)).to.equal(status);
      return res;
    };
    const fileIds = async () => {
      const res = await request(c.app).get('/api/v1/files').query({ size: 100 }).set(await bearer()).expect(200);
      return (res.body.data.items as { id: string }[]).map((f) => f.id);
    };
    /** `complete` on the store's class: the unit of work's transaction-bound instances share it. */
    const failNextResponseWrite = () => {
      const store = c.t.container.get(TOKENS.IdempotencyStore);
      const proto = Object.getPrototypeOf(store) as IdempotencyStore;
      sinon.stub(proto, 'complete').callThrough().onFirstCall().rejects(new DependencyUnavailableError('database'));
    };

    it('POST /records: a failed response write rolls the record back; the retry creates once and replays a day later', async () => {
      failNextResponseWrite();
      await postRecord('rec-fail', 503);
      expect(await recordsNamed('rec-fail')).to.deep.equal([]);

      // Well past the 10-minute stale window: the old design created a second record here.
      clock.advanceSeconds(11 * MINUTE);
      const first = await postRecord('rec-fail', 201);
      expect(first.headers).not.to.have.property('idempotent-replayed');
      expect(await recordsNamed('rec-fail')).to.deep.equal([first.body.data.id]);

      clock.advanceSeconds(23 * HOUR);
      const replay = await postRecord('rec-fail', 201);
      expect(replay.headers['idempotent-replayed']).to.equal('true');
      expect(replay.body.data.id).to.equal(first.body.data.id);
      expect(await recordsNamed('rec-fail')).to.deep.equal([first.body.data.id]);
    });

    it('POST /files: a failed response write keeps no file; the retry stores once and replays later', async () => {
      const png = aPng(2048);
      const before = await fileIds();
      failNextResponseWrite();
      await postFile('file-fail', png, 503);
      expect(await fileIds()).to.deep.equal(before);

      clock.advanceSeconds(11 * MINUTE);
      const first = await postFile('file-fail', png, 201);
      clock.advanceSeconds(HOUR);
      const replay = await postFile('file-fail', png, 201);
      expect(replay.headers['idempotent-replayed']).to.equal('true');
      expect(replay.body.data.id).to.equal(first.body.data.id);
      expect(await fileIds()).to.deep.equal([first.body.data.id, ...before]);
    });

    it('a request that lost its claim to a retry (it went stale) rolls its record back: one record, the retry answers', async () => {
      // The first request is held just before its unit of work, as a very slow one would be.
      const uow = c.t.container.get(TOKENS.UnitOfWork);
      const run = uow.run.bind(uow) as UnitOfWork['run'];
      let reach!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      let holdNext = false;
      sinon.stub(uow, 'run').callsFake(async (work) => {
        if (holdNext) {
          holdNext = false;
          reach();
          await released;
        }
        return run(work);
      });

      const key = 'rec-slow';
      const auth = await bearer();
      holdNext = true;
      const slow = request(c.app).post('/api/v1/records').set(auth).set('Idempotency-Key', key).send({ name: `for ${key}` }).then((r) => r);
      await reached;
      clock.advanceSeconds(11 * MINUTE);
      const retry = await postRecord(key, 201);
      release();
      expect((await slow).status).to.equal(409);

      expect(await recordsNamed(key)).to.deep.equal([retry.body.data.id]);
      const replay = await postRecord(key, 201);
      expect(replay.headers['idempotent-replayed']).to.equal('true');
      expect(replay.body.data.id).to.equal(retry.body.data.id);
    });
  });
};

atomicOnProfile('memory', async () => ({ env: { PROFILE: 'memory' }, cleanup: async () => undefined }));

atomicOnProfile('embedded (PGlite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portside-idem-'));
  return { env: { PROFILE: 'embedded', DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

atomicOnProfile('PostgreSQL', async (ctx) => {
  await requireService(ctx, 'PostgreSQL', POSTGRES_URL);
  const server = await createServerDatabase(POSTGRES_URL, 'portside_idem');
  const dir = mkdtempSync(join(tmpdir(), 'portside-idem-'));
  return {
    env: { PROFILE: 'services', DATABASE_URL: server.url, DATA_DIR: dir },
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      await server.drop();
    },
  };
});
