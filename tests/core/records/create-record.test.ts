import { expect } from 'chai';
import sinon from 'sinon';
import type { DomainError } from '../../../core/shared/entities/errors.js';
import { anActor, left, recordsHarness, right } from './records-harness.js';

const fieldsOf = (e: DomainError): string[] => (e._tag === 'Validation' ? e.issues.map((i) => i.field) : []);

describe('CreateRecord', () => {
  it('creates a record owned by the caller with audit fields, version 1 and a record.created event', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = right(
      await h.create.execute(alice, {
        name: '  Nightly orders import  ',
        description: 'Copies orders to the warehouse',
        config: { source: 's3://orders', target: 'warehouse', schedule: '0 2 * * *', batch_size: 1000 },
      }),
    );
    expect(record).to.deep.include({
      ownerId: alice.userId,
      name: 'Nightly orders import',
      description: 'Copies orders to the warehouse',
      status: 'active',
      version: 1,
      createdBy: alice.userId,
      updatedBy: alice.userId,
      deletedAt: null,
    });
    expect(record.createdAt).to.deep.equal(h.clock.now());
    expect(await h.records.findById(record.id)).to.deep.equal(record);
    expect(h.events.all().map((e) => [e.type, e.subjectId, e.actorId])).to.deep.equal([['record.created', record.id, alice.userId]]);
  });

  it('defaults config to an empty object and accepts an explicit status', async () => {
    const h = recordsHarness();
    const record = right(await h.create.execute(anActor(), { name: 'x', status: 'inactive' }));
    expect(record.config).to.deep.equal({});
    expect(record.status).to.equal('inactive');
  });

  it('accepts five-field, six-field and @alias schedules', async () => {
    const h = recordsHarness();
    for (const schedule of ['*/15 * * * *', '0 0 2 * * MON-FRI', '@daily']) {
      right(await h.create.execute(anActor(), { name: 'x', config: { schedule } }));
    }
  });

  for (const [label, input, field] of [
    ['an empty name', { name: '' }, 'name'],
    ['a name of spaces', { name: '   ' }, 'name'],
    ['a 256-character name', { name: 'n'.repeat(256) }, 'name'],
    ['an array config', { name: 'x', config: [1, 2] }, 'config'],
    ['a null config', { name: 'x', config: null }, 'config'],
    ['a config over 64 KiB', { name: 'x', config: { blob: 'x'.repeat(64 * 1024) } }, 'config'],
    ['an invalid cron schedule', { name: 'x', config: { schedule: '61 * * * *' } }, 'config.schedule'],
    ['a four-field schedule', { name: 'x', config: { schedule: '0 2 * *' } }, 'config.schedule'],
    ['an empty schedule', { name: 'x', config: { schedule: '' } }, 'config.schedule'],
    ['a non-string schedule', { name: 'x', config: { schedule: 5 } }, 'config.schedule'],
  ] as const) {
    it(`refuses ${label} and stores nothing`, async () => {
      const h = recordsHarness();
      const actor = anActor();
      const error = left(await h.create.execute(actor, input));
      expect(error._tag).to.equal('Validation');
      expect(fieldsOf(error)).to.deep.equal([field]);
      expect(right(await h.list.execute(actor, { sort: { field: 'name', direction: 'asc' }, page: { page: 1, size: 10 } })).total).to.equal(0);
      expect(h.events.all()).to.deep.equal([]);
    });
  }

  it('accepts a 255-character name and a config of exactly 64 KiB', async () => {
    const h = recordsHarness();
    const padding = 64 * 1024 - JSON.stringify({ blob: '' }).length;
    right(await h.create.execute(anActor(), { name: 'n'.repeat(255), config: { blob: 'x'.repeat(padding) } }));
  });

  it('reports every invalid field at once', async () => {
    const h = recordsHarness();
    const error = left(await h.create.execute(anActor(), { name: '', config: { schedule: 'often' } }));
    expect(fieldsOf(error)).to.deep.equal(['name', 'config.schedule']);
  });

  it('stores nothing when recording the event fails', async () => {
    const h = recordsHarness();
    const actor = anActor();
    sinon.stub(h.events, 'record').rejects(new Error('outbox down'));
    const error = await h.create.execute(actor, { name: 'x' }).then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
    expect(right(await h.list.execute(actor, { sort: { field: 'name', direction: 'asc' }, page: { page: 1, size: 10 } })).total).to.equal(0);
  });
});
