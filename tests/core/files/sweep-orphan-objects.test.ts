import { expect } from 'chai';
import sinon from 'sinon';
import { v7 as uuidv7 } from 'uuid';
import { chunked } from '../../contracts/object-storage.contract.js';
import { aPng } from '../../support/file-samples.js';
import { anActor, filesHarness, right } from './files-harness.js';

const HOUR = 3600;

describe('SweepOrphanObjects', () => {
  afterEach(() => sinon.restore());

  it('deletes objects left without metadata once a day old, and nothing a file still uses', async () => {
    const h = filesHarness();
    const actor = anActor();
    const kept = await h.aFile(actor, aPng(1000));
    // The metadata write failed and so did the clean-up: the object stays, as after a crash between the two.
    sinon.stub(h.files, 'insert').rejects(new Error('crashed'));
    sinon.stub(h.storage, 'delete').rejects(new Error('store went away'));
    await h.upload.execute({ actor, filename: 'lost.png', declaredType: 'image/png', body: chunked(aPng(1000)) }).catch(() => undefined);
    sinon.restore();
    const [orphan] = h.storage.keys().filter((key) => key !== kept.objectKey);
    expect(orphan).to.match(/^files\//);
    const foreign = 'files/not-a-file-id';
    await h.storage.put(foreign, chunked(Buffer.from('x')), { maxBytes: 10, contentType: 'text/plain' });

    h.clock.advanceSeconds(23 * HOUR);
    // Written just now: an upload that may still be about to write its metadata.
    const recent = `files/${uuidv7()}`;
    await h.storage.put(recent, chunked(Buffer.from('y')), { maxBytes: 10, contentType: 'text/plain' });
    expect(right(await h.sweep.execute({ now: h.clock.now() }))).to.equal(0);

    h.clock.advanceSeconds(1 * HOUR + 1);
    expect(right(await h.sweep.execute({ now: h.clock.now() }))).to.equal(1);
    expect(h.storage.keys().sort()).to.deep.equal([kept.objectKey, foreign, recent].sort());
  });

  it('removes the object of a file deleted since, whose own delete did not get to it', async () => {
    const h = filesHarness();
    const actor = anActor();
    const file = await h.aFile(actor, aPng(1000));
    await h.files.delete(file.id, h.clock.now());
    h.clock.advanceSeconds(25 * HOUR);
    expect(right(await h.sweep.execute({ now: h.clock.now() }))).to.equal(1);
    expect(h.storage.keys()).to.deep.equal([]);
  });
});
