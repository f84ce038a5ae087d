import { expect } from 'chai';
import { left, right } from '../support/builders.js';
import { v7 as uuidv7 } from 'uuid';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import type { DataRecord } from '../../core/records/entities/record.js';
import type { RecordFilter, RecordRepository, RecordSortField } from '../../core/records/ports/record-repository.js';

export interface RecordRepositoryFixture {
  readonly repo: RecordRepository;
  close?(): Promise<void>;
}

const T0 = new Date('2031-03-01T08:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export const aRecord = (overrides: Partial<DataRecord> = {}): DataRecord => {
  const owner = overrides.ownerId ?? uuidv7();
  return {
    id: uuidv7(),
    ownerId: owner,
    name: 'Nightly orders import',
    description: null,
    config: { source: 's3://bucket/orders', schedule: '0 2 * * *', batch_size: 1000 },
    status: 'active',
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    createdBy: owner,
    updatedBy: owner,
    deletedAt: null,
    ...overrides,
  };
};


/**
 * The behaviour every RecordRepository adapter must share. Each test works on its own owner id,
 * so the suite needs no cleanup between tests.
 */
export const recordRepositoryContract = (name: string, setup: (ctx: Mocha.Context) => Promise<RecordRepositoryFixture>): void => {
  describe(`RecordRepository contract: ${name}`, function () {
    let fixture: RecordRepositoryFixture | undefined;
    let repo: RecordRepository;

    before(async function () {
      fixture = await setup(this);
      repo = fixture.repo;
    });
    after(async () => {
      await fixture?.close?.();
    });

    const seed = async (records: DataRecord[]): Promise<DataRecord[]> => {
      for (const r of records) await repo.insert(r);
      return records;
    };
    const list = async (filter: RecordFilter, sort: Sort<RecordSortField>, page: PageQuery): Promise<Page<DataRecord>> =>
      right(await repo.list(filter, sort, page));
    const names = (p: Page<DataRecord>): string[] => p.items.map((r) => r.name);

    it('stores a record and reads it back field for field', async () => {
      const record = aRecord({
        name: 'Ünïcode “quotes” \' and \\ backslash',
        description: 'line 1\nline 2',
        config: { nested: { list: [1, 'two', null, true], deep: { x: 1.5 } }, schedule: '*/5 * * * *' },
        status: 'inactive',
        updatedAt: at(5),
      });
      expect(await repo.insert(record)).to.deep.equal(record);
      expect(await repo.findById(record.id)).to.deep.equal(record);
    });

    it('finds nothing for an unknown id', async () => {
      expect(await repo.findById(uuidv7())).to.equal(null);
    });

    it('updates when the expected version is current and bumps the version', async () => {
      const [record] = await seed([aRecord()]);
      const saved = right(await repo.update({ ...record!, name: 'Renamed', updatedAt: at(60) }, 1));
      expect(saved.version).to.equal(2);
      expect(saved.name).to.equal('Renamed');
      expect(await repo.findById(record!.id)).to.deep.equal(saved);
    });

    it('refuses an update with a stale version and keeps the stored record', async () => {
      const [record] = await seed([aRecord()]);
      const first = right(await repo.update({ ...record!, name: 'First writer' }, 1));
      const error = left(await repo.update({ ...record!, name: 'Second writer' }, 1));
      expect(error._tag).to.equal('PreconditionFailed');
      expect(await repo.findById(record!.id)).to.deep.equal(first);
    });

    it('answers NotFound when updating a record that does not exist', async () => {
      expect(left(await repo.update(aRecord(), 1))._tag).to.equal('NotFound');
    });

    it('never returns a soft-deleted record, and refuses to update it', async () => {
      const owner = uuidv7();
      const [gone, kept] = await seed([aRecord({ ownerId: owner, name: 'gone' }), aRecord({ ownerId: owner, name: 'kept' })]);
      right(await repo.update({ ...gone!, deletedAt: at(10) }, 1));
      expect(await repo.findById(gone!.id)).to.equal(null);
      const page = await list({ ownerId: owner }, { field: 'name', direction: 'asc' }, { page: 1, size: 10 });
      expect(page.items.map((r) => r.id)).to.deep.equal([kept!.id]);
      expect(page.total).to.equal(1);
      expect(left(await repo.update({ ...gone!, deletedAt: null }, 2))._tag).to.equal('NotFound');
      expect(await list({ ownerId: owner, q: 'gone' }, { field: 'name', direction: 'asc' }, { page: 1, size: 10 })).to.include({ total: 0 });
    });

    it('filters by owner and status', async () => {
      const [a, b] = [uuidv7(), uuidv7()];
      await seed([
        aRecord({ ownerId: a, name: 'a1', status: 'active' }),
        aRecord({ ownerId: a, name: 'a2', status: 'archived' }),
        aRecord({ ownerId: b, name: 'b1', status: 'active' }),
      ]);
      const byName: Sort<RecordSortField> = { field: 'name', direction: 'asc' };
      expect(names(await list({ ownerId: a }, byName, { page: 1, size: 10 }))).to.deep.equal(['a1', 'a2']);
      expect(names(await list({ ownerId: a, status: 'archived' }, byName, { page: 1, size: 10 }))).to.deep.equal(['a2']);
      expect(names(await list({ ownerId: b, status: 'archived' }, byName, { page: 1, size: 10 }))).to.deep.equal([]);
    });

    it('matches q as a case-insensitive "name contains"', async () => {
      const owner = uuidv7();
      await seed(['Orders Import', 'nightly ORDERS', 'Customers'].map((n) => aRecord({ ownerId: owner, name: n })));
      const page = await list({ ownerId: owner, q: 'orders' }, { field: 'name', direction: 'asc' }, { page: 1, size: 10 });
      expect(names(page)).to.deep.equal(['nightly ORDERS', 'Orders Import']);
    });

    it('treats SQL and LIKE metacharacters in q as plain text', async () => {
      const owner = uuidv7();
      const tricky = ['100% done', '1000 done', 'a_b', 'axb', 'back\\slash', 'backslash', "it's", 'x"; DROP TABLE records; --'];
      await seed(tricky.map((n) => aRecord({ ownerId: owner, name: n })));
      const search = async (q: string) =>
        names(await list({ ownerId: owner, q }, { field: 'name', direction: 'asc' }, { page: 1, size: 20 }));
      expect(await search('%')).to.deep.equal(['100% done']);
      expect(await search('_')).to.deep.equal(['a_b']);
      expect(await search('\\')).to.deep.equal(['back\\slash']);
      expect(await search("'")).to.deep.equal(["it's"]);
      expect(await search('"; DROP TABLE records; --')).to.deep.equal(['x"; DROP TABLE records; --']);
      expect(await search('%%%')).to.deep.equal([]);
      expect((await list({ ownerId: owner }, { field: 'name', direction: 'asc' }, { page: 1, size: 20 })).total).to.equal(tricky.length);
    });

    it('sorts by each key in both directions, name case-insensitively, ties broken by id', async () => {
      const owner = uuidv7();
      const rows = await seed([
        aRecord({ ownerId: owner, name: 'beta', createdAt: at(2), updatedAt: at(30) }),
        aRecord({ ownerId: owner, name: 'Alpha', createdAt: at(1), updatedAt: at(10) }),
        aRecord({ ownerId: owner, name: 'charlie', createdAt: at(3), updatedAt: at(20) }),
        aRecord({ ownerId: owner, name: 'Beta', createdAt: at(2), updatedAt: at(30) }),
      ]);
      const ids = async (field: RecordSortField, direction: 'asc' | 'desc') =>
        (await list({ ownerId: owner }, { field, direction }, { page: 1, size: 10 })).items.map((r) => r.name);
      // The two "beta" rows tie on every key; ids are time-ordered, so the first inserted sorts first.
      expect(rows[0]!.id < rows[3]!.id).to.equal(true);
      expect(await ids('name', 'asc')).to.deep.equal(['Alpha', 'beta', 'Beta', 'charlie']);
      expect(await ids('name', 'desc')).to.deep.equal(['charlie', 'Beta', 'beta', 'Alpha']);
      expect(await ids('created_at', 'asc')).to.deep.equal(['Alpha', 'beta', 'Beta', 'charlie']);
      expect(await ids('created_at', 'desc')).to.deep.equal(['charlie', 'Beta', 'beta', 'Alpha']);
      expect(await ids('updated_at', 'asc')).to.deep.equal(['Alpha', 'charlie', 'beta', 'Beta']);
      expect(await ids('updated_at', 'desc')).to.deep.equal(['Beta', 'beta', 'charlie', 'Alpha']);
    });

    it('pages by number with totals, and offers a cursor only while more rows follow', async () => {
      const owner = uuidv7();
      await seed(['a', 'b', 'c', 'd', 'e'].map((n) => aRecord({ ownerId: owner, name: n })));
      const byName: Sort<RecordSortField> = { field: 'name', direction: 'asc' };
      const p2 = await list({ ownerId: owner }, byName, { page: 2, size: 2 });
      expect(names(p2)).to.deep.equal(['c', 'd']);
      expect(p2).to.include({ total: 5, page: 2, size: 2 });
      expect(p2.nextCursor).to.be.a('string');
      const fromCursor = await list({ ownerId: owner }, byName, { page: 1, size: 2, cursor: p2.nextCursor! });
      expect(names(fromCursor)).to.deep.equal(['e']);
      expect(fromCursor.nextCursor).to.equal(null);
      // A cursor page counts only when asked: counting scans every match.
      expect(fromCursor.total).to.equal(null);
      expect((await list({ ownerId: owner }, byName, { page: 1, size: 2, cursor: p2.nextCursor!, withTotal: true })).total).to.equal(5);
      const p3 = await list({ ownerId: owner }, byName, { page: 3, size: 2 });
      expect(names(p3)).to.deep.equal(['e']);
      expect(p3.nextCursor).to.equal(null);
      expect(names(await list({ ownerId: owner }, byName, { page: 9, size: 2 }))).to.deep.equal([]);
    });

    for (const sort of [
      { field: 'created_at', direction: 'asc' },
      { field: 'created_at', direction: 'desc' },
      { field: 'updated_at', direction: 'desc' },
      { field: 'name', direction: 'asc' },
      { field: 'name', direction: 'desc' },
    ] as const) {
      it(`cursor paging by ${sort.direction === 'desc' ? '-' : ''}${sort.field} visits every row once while rows are added between pages`, async () => {
        const owner = uuidv7();
        // Few distinct sort values so that most page boundaries fall inside a run of ties.
        const original = await seed(
          Array.from({ length: 23 }, (_, i) =>
            aRecord({ ownerId: owner, name: `row ${i % 4}`, createdAt: at(i % 3), updatedAt: at(i % 5) }),
          ),
        );
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await list({ ownerId: owner }, sort, { page: 1, size: 4, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((r) => r.id));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
          await repo.insert(aRecord({ ownerId: owner, name: `row ${pages % 4}`, createdAt: at(pages % 3), updatedAt: at(pages % 5) }));
        } while (cursor !== undefined && pages < 50);
        expect(new Set(seen).size, 'no row served twice').to.equal(seen.length);
        expect(seen).to.include.members(original.map((r) => r.id));
      });
    }

    it('refuses a cursor made for another sort, and one that is not a cursor', async () => {
      const owner = uuidv7();
      await seed(['a', 'b', 'c'].map((n) => aRecord({ ownerId: owner, name: n })));
      const page = await list({ ownerId: owner }, { field: 'name', direction: 'asc' }, { page: 1, size: 1 });
      for (const [sort, cursor] of [
        [{ field: 'name', direction: 'desc' }, page.nextCursor!],
        [{ field: 'created_at', direction: 'asc' }, page.nextCursor!],
        [{ field: 'name', direction: 'asc' }, 'not-a-cursor'],
        [{ field: 'name', direction: 'asc' }, Buffer.from('["name","x","not-a-uuid"]').toString('base64url')],
        [{ field: 'created_at', direction: 'asc' }, Buffer.from(`["created_at","yesterday","${uuidv7()}"]`).toString('base64url')],
      ] as const) {
        const error = left(await repo.list({ ownerId: owner }, sort, { page: 1, size: 1, cursor }));
        expect(error).to.deep.include({ _tag: 'Validation' });
        expect((error as Extract<DomainError, { _tag: 'Validation' }>).issues[0]!.field).to.equal('cursor');
      }
    });
  });
};
