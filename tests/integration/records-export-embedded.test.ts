import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { startJobRunner } from '../../composition/jobs.js';
import type { WakeLoop } from '../../composition/wake-loop.js';
import { identityClient, type IdentityClient } from '../http/identity-client.js';

const COUNT = 10_000;

describe('records export on the embedded profile', function () {
  this.timeout(300_000);
  let c: IdentityClient;
  let dataDir: string;
  let runner: WakeLoop | null = null;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portside-embedded-export-'));
    c = await identityClient({ PROFILE: 'embedded', DATA_DIR: dataDir, JOBS_POLL_MS: '600000' }, { migrate: true });
  });
  after(async () => {
    await runner?.stop();
    await c?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`exports ${COUNT} records as NDJSON: every line parses and matches the stored record, in order, and nobody else's`, async () => {
    const { user, tokens } = await c.aUser();
    const other = await c.aUser();
    const sequelize = c.t.runtime.infra.database!.sequelize;
    // Names with quotes, commas, backslashes and non-ASCII, so escaping is exercised on every line.
    await sequelize.query(
      `INSERT INTO records (id, owner_id, name, description, config, status, version, created_at, updated_at, created_by, updated_by)
       SELECT gen_random_uuid(), :owner, 'rec "' || i || '", \\ é', CASE WHEN i % 2 = 0 THEN NULL ELSE 'd' || i END,
              jsonb_build_object('i', i, 'tags', jsonb_build_array('a', i % 7)), CASE WHEN i % 3 = 0 THEN 'archived' ELSE 'active' END, 1,
              TIMESTAMPTZ '2030-01-01T00:00:00Z' + i * INTERVAL '1 second', TIMESTAMPTZ '2030-01-01T00:00:00Z' + i * INTERVAL '1 second', :owner, :owner
       FROM generate_series(1, :count) AS i`,
      { replacements: { owner: user.id, count: COUNT } },
    );
    await request(c.app).post('/api/v1/records').set(c.bearer(other.tokens.access_token)).send({ name: 'not mine', config: {} }).expect(201);

    const res = await request(c.app).post('/api/v1/records/export').set(c.bearer(tokens.access_token)).send({ format: 'ndjson' }).expect(202);
    runner = startJobRunner(c.t.container, 'api');
    await runner!.idle();
    const job = (await request(c.app).get(`/api/v1/jobs/${res.body.data.job_id}`).set(c.bearer(tokens.access_token)).expect(200)).body.data;
    expect(job).to.deep.include({ status: 'completed', progress: 100, error: null });

    const download = await request(c.app)
      .get(`/api/v1/files/${job.result.file_id}/content`)
      .set(c.bearer(tokens.access_token))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (chunk: Buffer) => chunks.push(chunk));
        r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
      });
    expect(download.status).to.equal(200);
    const text = download.body as string;
    expect(text.endsWith('\n')).to.equal(true);
    const lines = text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).to.have.length(COUNT);

    const stored = await sequelize.query<{ id: string; name: string; description: string | null; config: unknown; status: string; created_at: Date }>(
      'SELECT id, name, description, config, status, created_at FROM records WHERE owner_id = :owner ORDER BY created_at, id',
      { replacements: { owner: user.id }, type: QueryTypes.SELECT },
    );
    expect(stored).to.have.length(COUNT);
    for (let i = 0; i < COUNT; i += 1) {
      const line = lines[i]!;
      const row = stored[i]!;
      expect(line).to.deep.include({ id: row.id, owner_id: user.id, name: row.name, description: row.description, status: row.status, version: 1 });
      expect(line['config']).to.deep.equal(row.config);
      expect(line['created_at']).to.equal(new Date(row.created_at).toISOString());
    }
  });
});
