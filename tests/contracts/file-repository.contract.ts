import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { FileRepository } from '../../core/files/ports/file-repository.js';
import type { StoredFile } from '../../core/files/entities/stored-file.js';
import { left, right } from '../support/builders.js';

export interface FileRepositoryFixture {
  readonly files: FileRepository;
  close?(): Promise<void>;
}

const T0 = new Date('2031-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const aFile = (overrides: Partial<StoredFile> = {}): StoredFile => {
  const id = uuidv7();
  return {
    id,
    ownerId: uuidv7(),
    filename: 'report ü.pdf',
    contentType: 'application/pdf',
    size: 1234,
    sha256: 'a'.repeat(64),
    objectKey: `files/${id}`,
    createdAt: T0,
    deletedAt: null,
    ...overrides,
  };
};

/** The behaviour every FileRepository adapter shares; tests isolate themselves with fresh owners. */
export const fileRepositoryContract = (name: string, setup: (ctx: Mocha.Context) => Promise<FileRepositoryFixture>): void => {
  describe(`FileRepository contract: ${name}`, function () {
    this.timeout(30_000);
    let fx: FileRepositoryFixture;

    before(async function () {
      fx = await setup(this);
    });
    after(async () => {
      await fx?.close?.();
    });

    it('gives back exactly what was inserted', async () => {
      const file = aFile({ size: 5 * 1024 ** 3 });
      expect(await fx.files.insert(file)).to.deep.equal(file);
      expect(await fx.files.findById(file.id)).to.deep.equal(file);
    });

    it('answers null for an unknown id, even one that is not a UUID', async () => {
      expect(await fx.files.findById(uuidv7())).to.equal(null);
      expect(await fx.files.findById('not-a-uuid')).to.equal(null);
      expect(await fx.files.delete('not-a-uuid', T0)).to.equal(false);
    });

    it("lists one owner's files newest first, paged, with the total", async () => {
      const ownerId = uuidv7();
      const mine = [0, 1, 2, 3, 4].map((i) => aFile({ ownerId, createdAt: at(i) }));
      for (const file of mine) await fx.files.insert(file);
      await fx.files.insert(aFile());
      const first = right(await fx.files.listByOwner(ownerId, { page: 1, size: 2 }));
      expect(first.items.map((f) => f.id)).to.deep.equal([mine[4]!.id, mine[3]!.id]);
      expect([first.total, first.page, first.size]).to.deep.equal([5, 1, 2]);
      const last = right(await fx.files.listByOwner(ownerId, { page: 3, size: 2 }));
      expect(last.items.map((f) => f.id)).to.deep.equal([mine[0]!.id]);
      expect((right(await fx.files.listByOwner(ownerId, { page: 4, size: 2 }))).items).to.deep.equal([]);
    });

    it("walks one owner's files by cursor, newest first, counting only when asked", async () => {
      const ownerId = uuidv7();
      const mine = [0, 1, 2, 3, 4].map((i) => aFile({ ownerId, createdAt: at(i % 2) }));
      for (const file of mine) await fx.files.insert(file);
      await fx.files.insert(aFile());
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = right(await fx.files.listByOwner(ownerId, { page: 1, size: 2, ...(cursor ? { cursor } : {}) }));
        if (cursor !== undefined) expect(page.total).to.equal(null);
        seen.push(...page.items.map((f) => f.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined && pages < 10);
      const newestFirst = [...mine].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
      expect(seen).to.deep.equal(newestFirst.map((f) => f.id));
      const second = right(await fx.files.listByOwner(ownerId, { page: 1, size: 2 }));
      expect(right(await fx.files.listByOwner(ownerId, { page: 1, size: 2, cursor: second.nextCursor!, withTotal: true })).total).to.equal(5);
      expect(left(await fx.files.listByOwner(ownerId, { page: 1, size: 2, cursor: 'bm90IGEgY3Vyc29y' }))._tag).to.equal('Validation');
    });

    it('breaks ties in creation time by id, newest id first, so pages never overlap', async () => {
      const ownerId = uuidv7();
      const same = [aFile({ ownerId }), aFile({ ownerId }), aFile({ ownerId })];
      for (const file of same) await fx.files.insert(file);
      const ids = [
        ...(right(await fx.files.listByOwner(ownerId, { page: 1, size: 2 }))).items,
        ...(right(await fx.files.listByOwner(ownerId, { page: 2, size: 2 }))).items,
      ].map((f) => f.id);
      expect(ids).to.deep.equal(same.map((f) => f.id).sort().reverse());
    });

    it('soft-deletes: the file vanishes from reads, the list and the quota, once', async () => {
      const ownerId = uuidv7();
      const [kept, gone] = [aFile({ ownerId, size: 100 }), aFile({ ownerId, size: 900 })];
      await fx.files.insert(kept);
      await fx.files.insert(gone);
      expect(await fx.files.totalBytesByOwner(ownerId)).to.equal(1000);
      expect(await fx.files.delete(gone.id, at(60))).to.equal(true);
      expect(await fx.files.findById(gone.id)).to.equal(null);
      expect((right(await fx.files.listByOwner(ownerId, { page: 1, size: 10 }))).items.map((f) => f.id)).to.deep.equal([kept.id]);
      expect((right(await fx.files.listByOwner(ownerId, { page: 1, size: 10 }))).total).to.equal(1);
      expect(await fx.files.totalBytesByOwner(ownerId)).to.equal(100);
      expect(await fx.files.delete(gone.id, at(61))).to.equal(false);
      expect(await fx.files.delete(uuidv7(), at(61))).to.equal(false);
    });

    it('sums only the owner’s live bytes, beyond 32-bit sizes, and 0 for someone with none', async () => {
      const ownerId = uuidv7();
      await fx.files.insert(aFile({ ownerId, size: 3 * 1024 ** 3 }));
      await fx.files.insert(aFile({ ownerId, size: 2 * 1024 ** 3 }));
      await fx.files.insert(aFile({ size: 7 }));
      expect(await fx.files.totalBytesByOwner(ownerId)).to.equal(5 * 1024 ** 3);
      expect(await fx.files.totalBytesByOwner(uuidv7())).to.equal(0);
    });
  });
};
