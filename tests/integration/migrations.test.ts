import { QueryTypes } from 'sequelize';
import { expect } from 'chai';
import { migrateDown, migrateUp, migrations, pendingMigrations } from '../../adapters/postgres/migrations/index.js';
import { openPglite, openPostgres, type TestDatabase } from '../support/databases.js';

const tablesOf = async (t: TestDatabase): Promise<string[]> => {
  const rows = await t.db.sequelize.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.name);
};

for (const [label, open] of [
  ['PGlite (embedded)', () => openPglite()],
  ['PostgreSQL', (ctx: Mocha.Context) => openPostgres(ctx)],
] as const) {
  describe(`migrations on ${label}`, function () {
    let t: TestDatabase | undefined;
    before(async function () {
      t = await open(this);
    });
    after(async () => t?.close());

    it('applies every migration and leaves none pending', async () => {
      expect(await pendingMigrations(t!.db.sequelize)).to.deep.equal([]);
      const tables = await tablesOf(t!);
      expect(tables).to.include.members(['outbox_events', 'schema_migrations']);
    });

    it('is idempotent: a second run applies nothing', async () => {
      expect(await migrateUp(t!.db.sequelize)).to.deep.equal([]);
    });

    it('rolls the newest migration back and forward again', async () => {
      const newest = migrations[migrations.length - 1]!.name;
      expect(await migrateDown(t!.db.sequelize)).to.deep.equal([newest]);
      expect(await pendingMigrations(t!.db.sequelize)).to.deep.equal([newest]);
      expect(await migrateUp(t!.db.sequelize)).to.deep.equal([newest]);
    });
  });
}
