import { expect } from 'chai';
import sinon from 'sinon';
import { v7 as uuidv7 } from 'uuid';
import { DependencyUnavailableError } from '../../../core/shared/entities/errors.js';
import { readAll } from '../../contracts/object-storage.contract.js';
import { aPng } from '../../support/file-samples.js';
import { anActor, filesHarness, left, right } from './files-harness.js';

describe('Files: reading, links and deleting', () => {
  afterEach(() => sinon.restore());

  it('shows a file to its owner and to an admin, and to anyone else as not found', async () => {
    const h = filesHarness();
    const owner = anActor();
    const file = await h.aFile(owner, aPng());
    expect(right(await h.get.execute({ actor: owner, id: file.id }))).to.deep.equal(file);
    expect(right(await h.get.execute({ actor: anActor({ isAdmin: true }), id: file.id }))).to.deep.equal(file);
    const stranger = anActor();
    const query = { actor: stranger, id: file.id };
    expect(left(await h.get.execute(query))._tag).to.equal('NotFound');
    expect(left(await h.download.execute(query))._tag).to.equal('NotFound');
    expect(left(await h.link.execute(query))._tag).to.equal('NotFound');
    expect(left(await h.remove.execute(query))._tag).to.equal('NotFound');
    expect(left(await h.get.execute({ actor: owner, id: uuidv7() }))._tag).to.equal('NotFound');
    expect(h.storage.keys()).to.deep.equal([file.objectKey]);
  });

  it("lists only the caller's own files, newest first, paged", async () => {
    const h = filesHarness();
    const me = anActor();
    const first = await h.aFile(me, aPng());
    h.clock.advanceSeconds(1);
    const second = await h.aFile(me, aPng());
    await h.aFile(anActor(), aPng());
    const page = right(await h.list.execute({ actor: me, page: { page: 1, size: 1 } }));
    expect(page.items.map((f) => f.id)).to.deep.equal([second.id]);
    expect(page.total).to.equal(2);
    expect(right(await h.list.execute({ actor: me, page: { page: 2, size: 1 } })).items.map((f) => f.id)).to.deep.equal([first.id]);
  });

  it('downloads the whole file or a range, and says when a range cannot be served', async () => {
    const h = filesHarness();
    const owner = anActor();
    const png = aPng(10_000);
    const file = await h.aFile(owner, png);
    const whole = right(await h.download.execute({ actor: owner, id: file.id }));
    if (whole._tag !== 'Content') expect.fail('expected content');
    expect((await readAll(whole.content.body)).equals(png)).to.equal(true);
    const cases = [
      { request: { _tag: 'FromTo', start: 10, end: 19 } as const, start: 10, end: 19 },
      { request: { _tag: 'FromTo', start: 100, end: null } as const, start: 100, end: png.length - 1 },
      { request: { _tag: 'FromTo', start: 0, end: 10 ** 9 } as const, start: 0, end: png.length - 1 },
      { request: { _tag: 'Suffix', length: 500 } as const, start: png.length - 500, end: png.length - 1 },
    ];
    for (const c of cases) {
      const part = right(await h.download.execute({ actor: owner, id: file.id, range: c.request }));
      if (part._tag !== 'Content') expect.fail(`expected content for ${JSON.stringify(c.request)}`);
      expect(part.content.range).to.deep.equal({ start: c.start, end: c.end });
      expect((await readAll(part.content.body)).equals(png.subarray(c.start, c.end + 1))).to.equal(true);
    }
    for (const request of [{ _tag: 'FromTo', start: png.length, end: null } as const, { _tag: 'Suffix', length: 0 } as const]) {
      expect(right(await h.download.execute({ actor: owner, id: file.id, range: request }))).to.deep.equal({ _tag: 'RangeNotSatisfiable', size: png.length });
    }
  });

  it('answers not found when the metadata is there but the object is not', async () => {
    const h = filesHarness();
    const owner = anActor();
    const file = await h.aFile(owner, aPng());
    await h.storage.delete(file.objectKey);
    expect(left(await h.download.execute({ actor: owner, id: file.id }))._tag).to.equal('NotFound');
  });

  it('issues a link that works without credentials until it expires', async () => {
    const h = filesHarness({ linkTtlSeconds: 300 });
    const owner = anActor();
    const png = aPng(3000);
    const file = await h.aFile(owner, png);
    const link = right(await h.link.execute({ actor: owner, id: file.id }));
    expect(link.expiresAt).to.deep.equal(new Date(h.clock.now().getTime() + 300_000));
    const token = link.url.replace('/api/v1/files/links/', '');
    h.clock.advanceSeconds(299);
    const served = right(await h.openLink.execute({ token }));
    if (served._tag !== 'Content') expect.fail('expected content');
    expect(served).to.include({ filename: file.filename, contentType: 'image/png' });
    expect((await readAll(served.content.body)).equals(png)).to.equal(true);
    h.clock.advanceSeconds(1);
    expect(left(await h.openLink.execute({ token }))._tag).to.equal('NotFound');
    expect(left(await h.openLink.execute({ token: 'forged' }))._tag).to.equal('NotFound');
  });

  it('deletes the object and the metadata, records file.deleted, and frees the quota', async () => {
    const h = filesHarness();
    const owner = anActor();
    const file = await h.aFile(owner, aPng(5000));
    const link = right(await h.link.execute({ actor: owner, id: file.id }));
    right(await h.remove.execute({ actor: owner, id: file.id }));
    expect(h.storage.keys()).to.deep.equal([]);
    expect(left(await h.get.execute({ actor: owner, id: file.id }))._tag).to.equal('NotFound');
    expect(left(await h.openLink.execute({ token: link.url.replace('/api/v1/files/links/', '') }))._tag).to.equal('NotFound');
    expect(await h.files.totalBytesByOwner(owner.userId)).to.equal(0);
    expect(h.events.all().map((e) => e.type)).to.deep.equal(['file.uploaded', 'file.deleted']);
    expect(left(await h.remove.execute({ actor: owner, id: file.id }))._tag).to.equal('NotFound');
  });

  it('lets an admin delete anyone’s file', async () => {
    const h = filesHarness();
    const file = await h.aFile(anActor(), aPng());
    right(await h.remove.execute({ actor: anActor({ isAdmin: true }), id: file.id }));
    expect(h.storage.keys()).to.deep.equal([]);
  });

  it('changes nothing when the store is down at delete time, so a retry can finish', async () => {
    const h = filesHarness();
    const owner = anActor();
    const file = await h.aFile(owner, aPng());
    sinon.stub(h.storage, 'delete').rejects(new DependencyUnavailableError('object storage'));
    const error = await h.remove.execute({ actor: owner, id: file.id }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DependencyUnavailableError);
    expect(right(await h.get.execute({ actor: owner, id: file.id })).id).to.equal(file.id);
    sinon.restore();
    right(await h.remove.execute({ actor: owner, id: file.id }));
    expect(h.storage.keys()).to.deep.equal([]);
  });
});
