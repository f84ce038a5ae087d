import { expect } from 'chai';
import sinon from 'sinon';
import { v7 as uuidv7 } from 'uuid';
import { entityId, findByEntityId, isUuid } from '../../../core/shared/entities/entity-id.js';
import { anActor as aFilesActor, filesHarness, left as fileLeft, right as fileRight } from '../files/files-harness.js';
import { identityHarness, left, right } from '../identity/identity-harness.js';
import { aPng } from '../../support/file-samples.js';

/** Strings a path segment can carry that are no id at all. */
const MALFORMED = ['not-a-uuid', '', "1' OR '1'='1", '0190f3b1-0000-7000-8000-00000000000', `${uuidv7()} `, `{${uuidv7()}}`];

describe('the entity id rule (core/shared/entities/entity-id.ts)', () => {
  afterEach(() => sinon.restore());

  it('keeps a UUID, in lower case, and turns anything else into null', () => {
    const id = uuidv7();
    expect(entityId(id)).to.equal(id);
    expect(entityId(id.toUpperCase())).to.equal(id);
    for (const raw of MALFORMED) {
      expect(entityId(raw), raw).to.equal(null);
      expect(isUuid(raw), raw).to.equal(false);
    }
  });

  it('never asks the repository about a string that cannot be an id', async () => {
    const find = sinon.stub().resolves('found');
    expect(await findByEntityId('not-a-uuid', find)).to.equal(null);
    expect(find.called).to.equal(false);
    const id = uuidv7();
    expect(await findByEntityId(id.toUpperCase(), find)).to.equal('found');
    expect(find.calledOnceWithExactly(id)).to.equal(true);
  });

  // The same answer in every module: the rule lives in the use cases, not in one adapter's routes.
  describe('users and sessions', () => {
    it('answer a malformed user id with NotFound from get, update and delete, without a lookup, and find an upper-case one', async () => {
      const h = identityHarness();
      const user = await h.aUser();
      const { actor } = await h.actorFor(user);
      const lookups = sinon.spy(h.users, 'findById');
      for (const raw of MALFORMED) {
        expect(left(await h.getUser.execute(actor, raw))._tag, raw).to.equal('NotFound');
        expect(left(await h.updateUser.execute(actor, raw, { fullName: 'X' }))._tag, raw).to.equal('NotFound');
        expect(left(await h.deleteUser.execute(actor, raw))._tag, raw).to.equal('NotFound');
      }
      expect(lookups.called).to.equal(false);
      expect(right(await h.getUser.execute(actor, user.id.toUpperCase())).id).to.equal(user.id);
      expect(right(await h.updateUser.execute(actor, user.id.toUpperCase(), { fullName: 'Upper Case' })).fullName).to.equal('Upper Case');
    });

    it('answer a malformed session id with NotFound, without a lookup, and end a session named in upper case', async () => {
      const h = identityHarness();
      const user = await h.aUser();
      const { actor } = await h.actorFor(user);
      const second = await h.actorFor(user);
      const lookups = sinon.spy(h.store, 'findActive');
      for (const raw of MALFORMED) expect(left(await h.revokeSession.execute(actor, raw))._tag, raw).to.equal('NotFound');
      expect(lookups.called).to.equal(false);
      right(await h.revokeSession.execute(actor, second.actor.sessionId.toUpperCase()));
      expect(left(await h.authenticate.execute(second.tokens.accessToken))._tag).to.equal('Unauthenticated');
    });
  });

  describe('files', () => {
    it('answer a malformed file id with NotFound from get, download, link and delete, without a lookup', async () => {
      const h = filesHarness();
      const owner = aFilesActor();
      const file = await h.aFile(owner, aPng());
      const lookups = sinon.spy(h.files, 'findById');
      for (const raw of MALFORMED) {
        const query = { actor: owner, id: raw };
        expect(fileLeft(await h.get.execute(query))._tag, raw).to.equal('NotFound');
        expect(fileLeft(await h.download.execute(query))._tag, raw).to.equal('NotFound');
        expect(fileLeft(await h.link.execute(query))._tag, raw).to.equal('NotFound');
        expect(fileLeft(await h.remove.execute(query))._tag, raw).to.equal('NotFound');
      }
      expect(lookups.called).to.equal(false);
      expect(fileRight(await h.get.execute({ actor: owner, id: file.id.toUpperCase() })).id).to.equal(file.id);
      expect(h.storage.keys()).to.deep.equal([file.objectKey]);
    });
  });
});
