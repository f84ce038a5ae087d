import { expect } from 'chai';
import { closeDatabase, openPostgres } from '../../adapters/postgres/database.js';
import { startEmbeddedPostgres } from '../../adapters/postgres/embedded-server.js';
import { migrateUp, migrations, schemaVersion } from '../../adapters/postgres/migrations/index.js';

/** What /health/ready reports as `schema_version` (issue #16). */
describe('schemaVersion (the newest applied migration)', function () {
  this.timeout(60_000);

  it('is null on an empty database and the last migration once migrated', async () => {
    const embedded = await startEmbeddedPostgres();
    const db = openPostgres({ connect: embedded.connect, poolMax: 2 });
    try {
      expect(await schemaVersion(db.sequelize)).to.equal(null);
      await migrateUp(db.sequelize);
      expect(await schemaVersion(db.sequelize)).to.equal(migrations.at(-1)!.name);
    } finally {
      await closeDatabase(db);
      await embedded.stop();
    }
  });
});
