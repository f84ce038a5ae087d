import { expect } from 'chai';
import request from 'supertest';
import { startJobRunner } from '../../composition/jobs.js';
import type { WakeLoop } from '../../composition/wake-loop.js';
import { FILES } from '../../composition/modules/files.js';
import { TOKENS } from '../../composition/tokens.js';
import type { ObjectStorage } from '../../core/files/ports/object-storage.js';
import type { RecordRepository } from '../../core/records/ports/record-repository.js';
import { fields, identityClient, type IdentityClient } from './identity-client.js';

/** A promise and the function that resolves it. */
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF rows). */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  return rows;
};

describe('jobs API and records export on the memory profile', function () {
  this.timeout(60_000);
  let c: IdentityClient;
  let runner: WakeLoop | null = null;

  beforeEach(async () => {
    c = await identityClient({ JOBS_POLL_MS: '600000', JOBS_MAX_ATTEMPTS: '1' });
  });
  afterEach(async () => {
    await runner?.stop();
    runner = null;
    await c.close();
  });

  const job = (token: string, id: string) => request(c.app).get(`/api/v1/jobs/${id}`).set(c.bearer(token));

  it('moves the export job from queued through running to completed, and its file downloads as CSV', async () => {
    const { user, tokens } = await c.aUser();
    const other = await c.aUser();
    const names = ['plain', 'with, comma', 'with "quotes"\nand a line break'];
    for (const name of names) {
      await request(c.app).post('/api/v1/records').set(c.bearer(tokens.access_token)).send({ name, config: { n: name.length } }).expect(201);
    }
    await request(c.app).post('/api/v1/records').set(c.bearer(other.tokens.access_token)).send({ name: 'not mine', config: {} }).expect(201);

    const res = await request(c.app).post('/api/v1/records/export?format=csv').set(c.bearer(tokens.access_token)).expect(202);
    const jobId = res.body.data.job_id as string;
    expect(res.headers['location']).to.equal(`/api/v1/jobs/${jobId}`);
    const queued = await job(tokens.access_token, jobId).expect(200);
    expect(queued.body.data).to.deep.include({ id: jobId, type: 'records.export', status: 'queued', progress: 0, result: null, error: null, attempts: 0, started_at: null });

    // Hold the export on its first page read, to see it running.
    const records = c.t.container.get(TOKENS.RecordRepository) as RecordRepository;
    const list = records.list.bind(records);
    const reading = deferred();
    const gate = deferred();
    records.list = async (...args) => {
      reading.resolve();
      await gate.promise;
      return list(...args);
    };
    runner = startJobRunner(c.t.container, 'api');
    await reading.promise;
    const running = await job(tokens.access_token, jobId).expect(200);
    expect(running.body.data).to.deep.include({ status: 'running', attempts: 1, finished_at: null });
    expect(running.body.data.started_at).to.be.a('string');
    // Someone else's job is not even there for them; an admin sees it.
    await job(other.tokens.access_token, jobId).expect(404);
    const admin = await c.anAdmin();
    await job(admin.tokens.access_token, jobId).expect(200);
    gate.resolve();
    await runner!.idle();

    const done = (await job(tokens.access_token, jobId).expect(200)).body.data;
    expect(done).to.deep.include({ status: 'completed', progress: 100, error: null, attempts: 1 });
    const fileId = done.result.file_id as string;
    const meta = await request(c.app).get(`/api/v1/files/${fileId}`).set(c.bearer(tokens.access_token)).expect(200);
    expect(meta.body.data).to.deep.include({ content_type: 'text/csv' });
    await request(c.app).get(`/api/v1/files/${fileId}/content`).set(c.bearer(other.tokens.access_token)).expect(404);
    const content = await request(c.app).get(`/api/v1/files/${fileId}/content`).set(c.bearer(tokens.access_token)).buffer(true).parse((r, cb) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (text += chunk));
      r.on('end', () => cb(null, text));
    });
    expect(content.status).to.equal(200);
    const rows = parseCsv(content.body as string);
    expect(rows[0]).to.deep.equal(['id', 'owner_id', 'name', 'description', 'status', 'version', 'config', 'created_at', 'updated_at', 'created_by', 'updated_by']);
    expect(rows.slice(1).map((r) => r[2])).to.deep.equal(names);
    expect(rows.slice(1).every((r) => r[1] === user.id && r[3] === '' && r.length === 11)).to.equal(true);
    expect(JSON.parse(rows[2]![6]!)).to.deep.equal({ n: names[1]!.length });
  });

  it('fails the job with its error when the export cannot be stored', async () => {
    const { tokens } = await c.aUser();
    await request(c.app).post('/api/v1/records').set(c.bearer(tokens.access_token)).send({ name: 'one', config: {} }).expect(201);
    const storage = c.t.container.get(FILES.ObjectStorage) as ObjectStorage;
    storage.put = async () => {
      throw new Error('object storage is full');
    };
    const res = await request(c.app).post('/api/v1/records/export').set(c.bearer(tokens.access_token)).send({ format: 'ndjson' }).expect(202);
    runner = startJobRunner(c.t.container, 'api');
    await runner!.idle();
    const failed = (await job(tokens.access_token, res.body.data.job_id).expect(200)).body.data;
    expect(failed).to.deep.include({ status: 'failed', error: 'object storage is full', attempts: 1, result: null });
    expect(failed.finished_at).to.be.a('string');
  });

  it('refuses an export without a valid format, and answers 404 for unknown job ids', async () => {
    const { tokens } = await c.aUser();
    const missing = await request(c.app).post('/api/v1/records/export').set(c.bearer(tokens.access_token)).send({}).expect(422);
    expect(fields(missing)).to.deep.equal(['format']);
    const bad = await request(c.app).post('/api/v1/records/export').set(c.bearer(tokens.access_token)).send({ format: 'xml' }).expect(422);
    expect(fields(bad)).to.deep.equal(['format']);
    await job(tokens.access_token, 'not-a-uuid').expect(404);
    await job(tokens.access_token, '0190a3b4-0000-7000-8000-000000000000').expect(404);
  });

  it('replays an export asked again with the same Idempotency-Key instead of queueing a second job', async () => {
    const { tokens } = await c.aUser();
    const send = () => request(c.app).post('/api/v1/records/export').set(c.bearer(tokens.access_token)).set('Idempotency-Key', 'export-1').send({ format: 'csv' });
    const first = await send().expect(202);
    const again = await send().expect(202);
    expect(again.body.data.job_id).to.equal(first.body.data.job_id);
    expect(again.headers['idempotent-replayed']).to.equal('true');
  });
});
