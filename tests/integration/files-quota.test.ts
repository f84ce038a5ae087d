import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { v7 as uuidv7 } from 'uuid';
import { FileTypeContentTypeDetector } from '../../adapters/file-type/file-type-content-type-detector.js';
import { MemoryObjectStorage } from '../../adapters/memory/memory-object-storage.js';
import { PostgresFileRepository } from '../../adapters/postgres/postgres-file-repository.js';
import { PostgresUnitOfWork } from '../../adapters/postgres/postgres-unit-of-work.js';
import { fileUseCases } from '../../composition/modules/files.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text, 'utf8');
}

for (const [label, open] of [
  ['PostgreSQL', (ctx: Mocha.Context) => openPostgres(ctx)],
  ['PGlite (embedded)', () => openPglite()],
] as const) {
  describe(`file quota under concurrent uploads (${label})`, function () {
    let t: TestDatabase | undefined;
    before(async function () {
      t = await open(this);
    });
    after(async () => t?.close());

    it('lets exactly as many uploads through as fit, however many race', async () => {
      const storage = new MemoryObjectStorage();
      const { upload } = fileUseCases({
        files: new PostgresFileRepository(t!.db),
        storage,
        detector: new FileTypeContentTypeDetector(),
        uow: new PostgresUnitOfWork(t!.db),
        ids: { next: () => uuidv7() },
        clock: { now: () => new Date() },
        policy: { maxBytes: 10_000, quotaBytes: 1_000, allowedTypes: ['text/plain'], linkTtlSeconds: 60 },
      });
      const actor: Actor = { userId: uuidv7(), sessionId: uuidv7(), role: 'taker', isAdmin: false };
      // Each 300-byte upload fits the quota alone; together only three of eight do.
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          upload.execute({ actor, filename: `n${i}.txt`, declaredType: 'text/plain', body: bytes(String(i).repeat(300)) }),
        ),
      );
      const accepted = results.filter(E.isRight);
      expect(accepted).to.have.length(3);
      for (const refused of results.filter(E.isLeft)) expect(refused.left._tag).to.equal('TooLarge');
      const used = await new PostgresFileRepository(t!.db).totalBytesByOwner(actor.userId);
      expect(used).to.equal(900);
    });
  });
}
