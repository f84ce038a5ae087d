import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { ListRecordsQuery } from '../../../core/records/use-cases/list-records.js';
import { anActor, left, recordsHarness, right } from './records-harness.js';

const byName = { field: 'name', direction: 'asc' } as const;
const query = (overrides: Partial<ListRecordsQuery> = {}): ListRecordsQuery => ({ sort: byName, page: { page: 1, size: 20 }, ...overrides });

describe('GetRecord', () => {
  it('gives the owner and an admin the record, and everyone else NotFound', async () => {
    const h = recordsHarness();
    const [alice, bob, admin] = [anActor(), anActor(), anActor({ isAdmin: true })];
    const record = await h.aRecord(alice);
    expect(right(await h.get.execute(alice, record.id))).to.deep.equal(record);
    expect(right(await h.get.execute(admin, record.id))).to.deep.equal(record);
    expect(left(await h.get.execute(bob, record.id))._tag).to.equal('NotFound');
  });

  it('answers NotFound for unknown, malformed and deleted ids', async () => {
    const h = recordsHarness();
    const alice = anActor();
    const record = await h.aRecord(alice);
    right(await h.remove.execute(alice, record.id));
    for (const id of [uuidv7(), 'not-a-uuid', "1' OR '1'='1", record.id]) {
      expect(left(await h.get.execute(alice, id))._tag).to.equal('NotFound');
    }
  });
});

describe('ListRecords', () => {
  it('lists only the caller\'s records; an admin sees all and may narrow to one owner', async () => {
    const h = recordsHarness();
    const [alice, bob, admin] = [anActor(), anActor(), anActor({ isAdmin: true })];
    await h.aRecord(alice, { name: 'a1' });
    await h.aRecord(alice, { name: 'a2' });
    await h.aRecord(bob, { name: 'b1' });
    const names = async (actor = alice, q: Partial<ListRecordsQuery> = {}) =>
      right(await h.list.execute(actor, query(q))).items.map((r) => r.name);
    expect(await names(alice)).to.deep.equal(['a1', 'a2']);
    expect(await names(bob)).to.deep.equal(['b1']);
    expect(await names(admin)).to.deep.equal(['a1', 'a2', 'b1']);
    expect(await names(admin, { ownerId: bob.userId })).to.deep.equal(['b1']);
    // A user's owner filter can only narrow their own records.
    expect(await names(alice, { ownerId: bob.userId })).to.deep.equal([]);
    expect(await names(alice, { ownerId: alice.userId })).to.deep.equal(['a1', 'a2']);
  });

  it('filters by status and q', async () => {
    const h = recordsHarness();
    const alice = anActor();
    await h.aRecord(alice, { name: 'Orders import', status: 'active' });
    await h.aRecord(alice, { name: 'Old orders', status: 'archived' });
    await h.aRecord(alice, { name: 'Customers', status: 'active' });
    const names = async (q: Partial<ListRecordsQuery>) => right(await h.list.execute(alice, query(q))).items.map((r) => r.name);
    expect(await names({ status: 'active' })).to.deep.equal(['Customers', 'Orders import']);
    expect(await names({ q: 'ORDERS' })).to.deep.equal(['Old orders', 'Orders import']);
    expect(await names({ q: 'orders', status: 'archived' })).to.deep.equal(['Old orders']);
  });

  it('refuses a page size over 100, a page below 1 and a cursor from another sort', async () => {
    const h = recordsHarness();
    const alice = anActor();
    await h.aRecord(alice, { name: 'a' });
    await h.aRecord(alice, { name: 'b' });
    const first = right(await h.list.execute(alice, query({ page: { page: 1, size: 1 } })));
    const field = async (q: Partial<ListRecordsQuery>) => {
      const e = left(await h.list.execute(alice, query(q)));
      return e._tag === 'Validation' ? e.issues[0]?.field : e._tag;
    };
    expect(await field({ page: { page: 1, size: 101 } })).to.equal('size');
    expect(await field({ page: { page: 1, size: 0 } })).to.equal('size');
    expect(await field({ page: { page: 0, size: 10 } })).to.equal('page');
    expect(await field({ sort: { field: 'created_at', direction: 'asc' }, page: { page: 1, size: 1, cursor: first.nextCursor! } })).to.equal('cursor');
    // Even a filter that is empty for this caller checks its cursor.
    expect(await field({ ownerId: uuidv7(), page: { page: 1, size: 1, cursor: 'junk' } })).to.equal('cursor');
  });
});
