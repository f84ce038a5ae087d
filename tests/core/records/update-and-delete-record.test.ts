import { expect } from 'chai';
import { anActor, left, recordsHarness, right } from './records-harness.js';

describe('UpdateRecord', () => {
  it('changes only the given fields, bumps the version and records who changed what', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice, { description: 'keep me', config: { schedule: '0 2 * * *', batch_size: 10 } });
    h.clock.advanceSeconds(60);
    const updated = right(await h.update.execute(alice, record.id, { name: ' Renamed ', status: 'inactive' }));
    expect(updated).to.deep.include({ name: 'Renamed', status: 'inactive', description: 'keep me', version: 2, updatedBy: alice.userId });
    expect(updated.config).to.deep.equal(record.config);
    expect(updated.createdAt).to.deep.equal(record.createdAt);
    expect(updated.updatedAt).to.deep.equal(h.clock.now());
    const event = h.events.all().at(-1)!;
    expect(event).to.deep.include({ type: 'record.updated', subjectId: record.id, actorId: alice.userId });
    expect(event.data).to.deep.include({ changed: ['name', 'status'], version: 2 });
  });

  it('lets an admin change someone else\'s record, keeping the owner and naming the admin as updater', async () => {
    const h = recordsHarness();
    const [alice, admin] = [anActor(), anActor({ isAdmin: true })];
    const record = await h.aRecord(alice);
    const updated = right(await h.update.execute(admin, record.id, { description: 'checked by ops' }));
    expect(updated).to.deep.include({ ownerId: alice.userId, createdBy: alice.userId, updatedBy: admin.userId });
  });

  it('clears the description with null and replaces config as a whole', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice, { description: 'x', config: { a: 1, schedule: '@daily' } });
    const updated = right(await h.update.execute(alice, record.id, { description: null, config: { b: 2 } }));
    expect(updated.description).to.equal(null);
    expect(updated.config).to.deep.equal({ b: 2 });
  });

  it('refuses a stale expected version and keeps the newer change', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice);
    right(await h.update.execute(alice, record.id, { name: 'first' }, [1]));
    expect(left(await h.update.execute(alice, record.id, { name: 'second' }, [1]))._tag).to.equal('PreconditionFailed');
    expect(right(await h.get.execute(alice, record.id))).to.deep.include({ name: 'first', version: 2 });
  });

  it('does not bump the version or record an event when nothing changes', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice, { name: 'same' });
    const events = h.events.all().length;
    expect(right(await h.update.execute(alice, record.id, { name: 'same', config: record.config }, [1]))).to.deep.equal(record);
    expect(right(await h.update.execute(alice, record.id, {}))).to.deep.equal(record);
    expect(h.events.all()).to.have.length(events);
  });

  it('answers NotFound for another user\'s record and changes nothing', async () => {
    const h = recordsHarness();
    const [alice, bob] = [anActor(), anActor()];
    const record = await h.aRecord(alice);
    expect(left(await h.update.execute(bob, record.id, { name: 'mine now' }))._tag).to.equal('NotFound');
    expect(right(await h.get.execute(alice, record.id))).to.deep.equal(record);
  });

  it('validates the changed fields, including the schedule', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice);
    const error = left(await h.update.execute(alice, record.id, { name: '', config: { schedule: '* * * * * * *' } }));
    expect(error._tag === 'Validation' && error.issues.map((i) => i.field)).to.deep.equal(['name', 'config.schedule']);
  });
});

describe('DeleteRecord', () => {
  it('soft-deletes: the record disappears from reads and a record.deleted event is recorded', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice);
    right(await h.remove.execute(alice, record.id));
    expect(left(await h.get.execute(alice, record.id))._tag).to.equal('NotFound');
    expect(right(await h.list.execute(alice, { sort: { field: 'name', direction: 'asc' }, page: { page: 1, size: 10 } })).total).to.equal(0);
    expect(h.events.all().at(-1)).to.deep.include({ type: 'record.deleted', subjectId: record.id, actorId: alice.userId });
    expect(left(await h.remove.execute(alice, record.id))._tag).to.equal('NotFound');
    expect(left(await h.update.execute(alice, record.id, { name: 'back' }))._tag).to.equal('NotFound');
  });

  it('honours the expected version when given', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice);
    right(await h.update.execute(alice, record.id, { name: 'changed' }));
    expect(left(await h.remove.execute(alice, record.id, [1]))._tag).to.equal('PreconditionFailed');
    right(await h.get.execute(alice, record.id));
    right(await h.remove.execute(alice, record.id, [2]));
  });

  it('answers NotFound to another user, and lets an admin delete', async () => {
    const h = recordsHarness();
    const [alice, bob, admin] = [anActor(), anActor(), anActor({ isAdmin: true })];
    const record = await h.aRecord(alice);
    expect(left(await h.remove.execute(bob, record.id))._tag).to.equal('NotFound');
    right(await h.get.execute(alice, record.id));
    right(await h.remove.execute(admin, record.id));
    expect(left(await h.get.execute(alice, record.id))._tag).to.equal('NotFound');
  });
});
