import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { AUDIT } from '../../composition/modules/audit.js';
import { NOTIFICATIONS } from '../../composition/modules/notifications.js';
import { anAuditEvent } from '../contracts/audit-log.contract.js';
import { aNotification } from '../contracts/notification-repository.contract.js';
import { buildTestApp } from '../support/app.js';
import { right } from '../support/builders.js';

const DAY = 86_400_000;

/**
 * The retention settings reach housekeeping: the tasks the server runs hourly (and
 * `npm run cli -- maintenance` once) purge by the configured ages, and 0 registers no task at all.
 * What each adapter deletes is covered by the ports' contract suites.
 */
describe('retention of notifications and audit entries (housekeeping wiring)', () => {
  it('NOTIFICATION_RETENTION_DAYS and AUDIT_RETENTION_DAYS: older read notifications and older audit entries go, the rest stays', async () => {
    const t = await buildTestApp({ NOTIFICATION_RETENTION_DAYS: '2', AUDIT_RETENTION_DAYS: '3' });
    try {
      const now = new Date('2032-06-10T12:00:00.000Z');
      const repo = t.container.get(NOTIFICATIONS.Repository);
      const recipientId = uuidv7();
      const [readOld, readNew, unread] = await repo.insertAll(
        ['old', 'new', 'unread'].map((title) => aNotification({ recipientId, title, createdAt: new Date(now.getTime() - 30 * DAY) })),
        { next: () => uuidv7() },
      );
      await repo.markRead(recipientId, readOld!.id, new Date(now.getTime() - 2 * DAY - 1));
      await repo.markRead(recipientId, readNew!.id, new Date(now.getTime() - 2 * DAY + 1));
      const audit = t.container.get(AUDIT.AuditLog);
      const type = `test.retention.${uuidv7().slice(-8)}`;
      await audit.record(anAuditEvent({ type, occurredAt: new Date(now.getTime() - 3 * DAY - 1), data: { which: 'old' } }));
      await audit.record(anAuditEvent({ type, occurredAt: new Date(now.getTime() - 3 * DAY + 1), data: { which: 'new' } }));

      const task = (name: string) => t.runtime.infra.maintenance.find((m) => m.name === name)!;
      expect(await task('old read notifications').run(now)).to.equal(1);
      expect((await repo.listAfter(recipientId, null, 10)).map((n) => n.id)).to.deep.equal([readNew!.id, unread!.id]);
      expect(await task('expired audit entries').run(now)).to.equal(1);
      expect(right(await audit.list({ type }, { page: 1, size: 10 })).items.map((e) => e.data['which'])).to.deep.equal(['new']);
    } finally {
      await t.close();
    }
  });

  it('0 keeps everything: no purge task is registered', async () => {
    const t = await buildTestApp({ NOTIFICATION_RETENTION_DAYS: '0', AUDIT_RETENTION_DAYS: '0' });
    try {
      const names = t.runtime.infra.maintenance.map((m) => m.name);
      expect(names).to.not.include('old read notifications');
      expect(names).to.not.include('expired audit entries');
    } finally {
      await t.close();
    }
  });
});
