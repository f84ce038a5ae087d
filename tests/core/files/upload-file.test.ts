import { createHash } from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { DependencyUnavailableError } from '../../../core/shared/entities/errors.js';
import { chunked, cutOff } from '../../contracts/object-storage.contract.js';
import { aPdf, aPng, anExe } from '../../support/file-samples.js';
import { anActor, filesHarness, left, right } from './files-harness.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('UploadFile', () => {
  afterEach(() => sinon.restore());

  it('stores the bytes and their metadata, typed from the bytes, and records file.uploaded', async () => {
    const h = filesHarness();
    const actor = anActor();
    const png = aPng(200_000);
    const file = right(await h.upload.execute({ actor, filename: 'holiday.png', declaredType: 'image/png', body: chunked(png) }));
    expect(file).to.include({ ownerId: actor.userId, filename: 'holiday.png', contentType: 'image/png', size: png.length, sha256: sha256(png) });
    expect(file.createdAt).to.deep.equal(h.clock.now());
    expect(await h.files.findById(file.id)).to.deep.equal(file);
    expect(h.storage.keys()).to.deep.equal([file.objectKey]);
    expect(h.events.all().map((e) => [e.type, e.subjectId])).to.deep.equal([['file.uploaded', file.id]]);
  });

  it('never derives the object key from the client name, and keeps only a displayable name', async () => {
    const h = filesHarness();
    const names = ['../../etc/passwd', 'a\r\nSet-Cookie: x=1.png', '..\\..\\windows\\win.ini', '.hidden', '', 'x'.repeat(400)];
    const stored = [];
    for (const filename of names) stored.push(right(await h.upload.execute({ actor: anActor(), filename, declaredType: 'text/plain', body: chunked(Buffer.from('hi')) })));
    expect(stored.map((f) => f.filename)).to.deep.equal(['passwd', 'aSet-Cookie: x=1.png', 'win.ini', 'hidden', 'file', 'x'.repeat(255)]);
    for (const f of stored) expect(f.objectKey).to.equal(`files/${f.id}`);
  });

  it('refuses a renamed executable that claims to be a PNG, and keeps nothing', async () => {
    const h = filesHarness();
    const error = left(await h.upload.execute({ actor: anActor(), filename: 'cat.png', declaredType: 'image/png', body: chunked(anExe()) }));
    expect(error._tag).to.equal('UnsupportedContent');
    expect(h.storage.keys()).to.deep.equal([]);
    expect(h.events.all()).to.deep.equal([]);
  });

  it('refuses content that contradicts its declared type, even when both types are allowed', async () => {
    const h = filesHarness();
    const error = left(await h.upload.execute({ actor: anActor(), filename: 'doc.jpg', declaredType: 'image/jpeg', body: chunked(aPng()) }));
    expect(error).to.deep.include({ _tag: 'UnsupportedContent', message: 'The content is image/png, not image/jpeg' });
  });

  it('takes the type from the bytes when the client claims nothing specific', async () => {
    const h = filesHarness();
    const actor = anActor();
    expect(right(await h.upload.execute({ actor, filename: 'x', declaredType: 'application/octet-stream', body: chunked(aPdf()) })).contentType).to.equal('application/pdf');
    expect(right(await h.upload.execute({ actor, filename: 'x', declaredType: null, body: chunked(Buffer.from('a,b\n1,2\n')) })).contentType).to.equal('text/plain');
    expect(right(await h.upload.execute({ actor, filename: 'x.csv', declaredType: 'text/csv; charset=utf-8', body: chunked(Buffer.from('a,b\n1,2\n')) })).contentType).to.equal('text/csv');
  });

  it('refuses a type outside the allow-list', async () => {
    const h = filesHarness({ allowedTypes: ['application/pdf'] });
    expect(left(await h.upload.execute({ actor: anActor(), filename: 'p.png', declaredType: 'image/png', body: chunked(aPng()) }))._tag).to.equal('UnsupportedContent');
    expect(h.storage.keys()).to.deep.equal([]);
  });

  it('refuses a file over the size limit and keeps nothing; exactly the limit is fine', async () => {
    const h = filesHarness({ maxBytes: 100_000 });
    const error = left(await h.upload.execute({ actor: anActor(), filename: 'big.png', declaredType: 'image/png', body: chunked(aPng(100_000)) }));
    expect(error).to.deep.equal({ _tag: 'TooLarge', message: 'Files are limited to 100000 bytes' });
    expect(h.storage.keys()).to.deep.equal([]);
    const exact = aPng(100_000 - 57);
    expect(exact.length).to.equal(100_000);
    expect(right(await h.upload.execute({ actor: anActor(), filename: 'ok.png', declaredType: 'image/png', body: chunked(exact) })).size).to.equal(100_000);
  });

  it("enforces each user's quota on what they keep, freeing room when they delete", async () => {
    const h = filesHarness({ quotaBytes: 250_000, maxBytes: 200_000 });
    const actor = anActor();
    const first = await h.aFile(actor, aPng(150_000));
    const refused = left(await h.upload.execute({ actor, filename: 'b.png', declaredType: 'image/png', body: chunked(aPng(150_000)) }));
    expect(refused).to.deep.equal({ _tag: 'TooLarge', message: 'Storage quota exceeded' });
    expect(h.storage.keys()).to.deep.equal([first.objectKey]);
    await h.aFile(anActor(), aPng(150_000));
    right(await h.remove.execute({ actor, id: first.id }));
    await h.aFile(actor, aPng(150_000));
  });

  it('removes the object when the metadata write fails, and passes the failure on', async () => {
    const h = filesHarness();
    const failure = new Error('database went away');
    sinon.stub(h.files, 'insert').rejects(failure);
    const error = await h.upload.execute({ actor: anActor(), filename: 'a.png', declaredType: 'image/png', body: chunked(aPng(50_000)) }).catch((e: unknown) => e);
    expect(error).to.equal(failure);
    expect(h.storage.keys()).to.deep.equal([]);
    expect(h.events.all()).to.deep.equal([]);
  });

  it('removes the object when a concurrent upload used up the quota before the metadata was written', async () => {
    const h = filesHarness({ quotaBytes: 100_000 });
    const actor = anActor();
    // First read (before streaming) sees an empty account; the one inside the transaction sees it full.
    sinon.stub(h.files, 'totalBytesByOwner').onFirstCall().resolves(0).onSecondCall().resolves(90_000);
    const error = left(await h.upload.execute({ actor, filename: 'a.png', declaredType: 'image/png', body: chunked(aPng(50_000)) }));
    expect(error._tag).to.equal('TooLarge');
    expect(h.storage.keys()).to.deep.equal([]);
    expect((right(await h.files.listByOwner(actor.userId, { page: 1, size: 10 }))).total).to.equal(0);
  });

  it('still answers the quota refusal when removing the object then fails, trying once', async () => {
    const h = filesHarness({ quotaBytes: 100_000 });
    sinon.stub(h.files, 'totalBytesByOwner').onFirstCall().resolves(0).onSecondCall().resolves(90_000);
    const remove = sinon.stub(h.storage, 'delete').rejects(new DependencyUnavailableError('object storage'));
    const result = await h.upload.execute({ actor: anActor(), filename: 'a.png', declaredType: 'image/png', body: chunked(aPng(50_000)) }).catch((e: unknown) => e);
    expect(result).to.have.nested.property('left._tag', 'TooLarge');
    expect(remove.callCount).to.equal(1);
  });

  it('passes the metadata failure on, not the failure to remove the object, trying the removal once', async () => {
    const h = filesHarness();
    const failure = new Error('database went away');
    sinon.stub(h.files, 'insert').rejects(failure);
    const remove = sinon.stub(h.storage, 'delete').rejects(new DependencyUnavailableError('object storage'));
    const error = await h.upload.execute({ actor: anActor(), filename: 'a.png', declaredType: 'image/png', body: chunked(aPng(50_000)) }).catch((e: unknown) => e);
    expect(error).to.equal(failure);
    expect(remove.callCount).to.equal(1);
  });

  it('leaves neither object nor metadata when the upload is cut off midway', async () => {
    const h = filesHarness();
    const actor = anActor();
    const hangUp = new Error('aborted');
    const error = await h.upload.execute({ actor, filename: 'a.png', declaredType: 'image/png', body: cutOff(aPng(500_000), 300_000, hangUp) }).catch((e: unknown) => e);
    expect(error).to.equal(hangUp);
    expect(h.storage.keys()).to.deep.equal([]);
    expect((right(await h.files.listByOwner(actor.userId, { page: 1, size: 10 }))).total).to.equal(0);
  });
});
