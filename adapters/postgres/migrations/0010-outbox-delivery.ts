import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/**
 * What the outbox relay needs on `outbox_events`: a lease / retry time (`available_at`), the last
 * delivery error, and when an event was given up. An insert trigger NOTIFYs `outbox_events`, so
 * relays LISTENing in other processes wake as soon as the inserting transaction commits (NOTIFY is
 * delivered at commit, never for a rolled-back insert).
 */
export const OUTBOX_CHANNEL = 'outbox_events';

export const outboxDelivery: Migration = {
  name: '0010-outbox-delivery',
  async up({ context: qi }) {
    await qi.addColumn('outbox_events', 'available_at', { type: 'TIMESTAMPTZ', allowNull: true });
    await qi.addColumn('outbox_events', 'last_error', { type: DataTypes.TEXT, allowNull: true });
    await qi.addColumn('outbox_events', 'given_up_at', { type: 'TIMESTAMPTZ', allowNull: true });
    // The purge deletes by delivery time.
    await qi.sequelize.query('CREATE INDEX outbox_events_published_idx ON outbox_events (published_at) WHERE published_at IS NOT NULL');
    await qi.sequelize.query(`
      CREATE OR REPLACE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${OUTBOX_CHANNEL}', '');
        RETURN NULL;
      END $$`);
    await qi.sequelize.query(`
      CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
      FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify()`);
  },
  async down({ context: qi }) {
    await qi.sequelize.query('DROP TRIGGER IF EXISTS outbox_events_notify ON outbox_events');
    await qi.sequelize.query('DROP FUNCTION IF EXISTS outbox_events_notify()');
    await qi.sequelize.query('DROP INDEX IF EXISTS outbox_events_published_idx');
    await qi.removeColumn('outbox_events', 'given_up_at');
    await qi.removeColumn('outbox_events', 'last_error');
    await qi.removeColumn('outbox_events', 'available_at');
  },
};
