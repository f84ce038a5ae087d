import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { aPng } from '../support/file-samples.js';
import { identityClient, type IdentityClient } from './identity-client.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('Files through the composed app (memory profile, real login)', function () {
  this.timeout(30_000);
  let c: IdentityClient;

  before(async () => {
    c = await identityClient({ FILES_MAX_BYTES: String(4 * 1024 * 1024) });
  });
  after(async () => {
    await c?.close();
  });

  it('uploads, downloads, links and deletes with real tokens; FILES_MAX_BYTES applies', async () => {
    const { tokens } = await c.aUser();
    const { tokens: other } = await c.aUser();
    const png = aPng(3 * 1024 * 1024);
    const up = await request(c.app).post('/api/v1/files').set(c.bearer(tokens.access_token)).attach('file', png, { filename: 'scan.png', contentType: 'image/png' }).expect(201);
    const id = up.body.data.id as string;
    const down = await request(c.app).get(`/api/v1/files/${id}/content`).set(c.bearer(tokens.access_token)).buffer(true).parse(binary).expect(200);
    expect(sha256(down.body as Buffer)).to.equal(sha256(png));
    await request(c.app).get(`/api/v1/files/${id}`).set(c.bearer(other.access_token)).expect(404);
    const link = await request(c.app).get(`/api/v1/files/${id}/url`).set(c.bearer(tokens.access_token)).expect(200);
    const viaLink = await request(c.app).get(new URL(link.body.data.url as string).pathname).buffer(true).parse(binary).expect(200);
    expect(sha256(viaLink.body as Buffer)).to.equal(sha256(png));
    await request(c.app).post('/api/v1/files').set(c.bearer(tokens.access_token)).attach('file', aPng(4 * 1024 * 1024 + 1), { filename: 'big.png', contentType: 'image/png' }).expect(413);
    await request(c.app).delete(`/api/v1/files/${id}`).set(c.bearer(tokens.access_token)).expect(204);
    await request(c.app).get(`/api/v1/files/${id}/content`).set(c.bearer(tokens.access_token)).expect(404);
  });

  it('documents every files route in the OpenAPI document', async () => {
    const doc = (await request(c.app).get('/api/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/files'));
    expect(paths.sort()).to.deep.equal(['/api/v1/files', '/api/v1/files/links/{token}', '/api/v1/files/{id}', '/api/v1/files/{id}/content', '/api/v1/files/{id}/url']);
  });
});
