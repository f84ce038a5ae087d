import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { NewNotification, Notification } from '../../core/notifications/entities/notification.js';
import type { NotificationSignal } from '../../core/notifications/ports/notification-bus.js';
import type { NotificationRepository } from '../../core/notifications/ports/notification-repository.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { PageQuery } from '../../core/shared/entities/pagination.js';
import { left, right } from '../support/builders.js';

export interface NotificationRepositoryFixture {
  readonly repo: NotificationRepository;
  /** What the repository announced once committed (in-process announcements, or what LISTEN heard). */
  readonly announced: () => Promise<readonly NotificationSignal[]>;
  close?(): Promise<void>;
}

const T0 = new Date('2031-03-01T08:00:00.000Z');
const v7 = { next: () => uuidv7() };

export const aNotification = (overrides: Partial<NewNotification> = {}): NewNotification => ({
  recipientId: uuidv7(),
  eventId: uuidv7(),
  kind: 'account.password_changed',
  title: 'Your password was changed',
  body: 'If this was not you, contact an administrator.',
  data: { nested: { ok: true }, list: [1, 'two'] },
  createdAt: T0,
  ...overrides,
});

/** The behaviour every NotificationRepository adapter shares. Each test has its own recipients. */
export const notificationRepositoryContract = (name: string, setup: (ctx: Mocha.Context) => Promise<NotificationRepositoryFixture>): void => {
  describe(`NotificationRepository contract: ${name}`, function () {
    this.timeout(90_000);
    let fixture: NotificationRepositoryFixture | undefined;
    let repo: NotificationRepository;

    before(async function () {
      fixture = await setup(this);
      repo = fixture.repo;
    });
    after(async () => {
      await fixture?.close?.();
    });

    const first = (size: number): PageQuery => ({ page: 1, size });

    it('retention: purgeReadBefore removes notifications read before the cutoff, keeps unread and later-read ones', async () => {
      const recipientId = uuidv7();
      // Read long before any time the other tests use, so the count below is this test's alone.
      const old = new Date('2001-01-01T00:00:00.000Z');
      const cutoff = new Date(old.getTime() + 86_400_000);
      const stored = await repo.insertAll(
        ['read long ago', 'read at the cutoff', 'read recently', 'never read'].map((title) => aNotification({ recipientId, title, createdAt: old })),
        v7,
      );
      const [readOld, readAtCutoff, readRecently] = stored;
      expect(await repo.markRead(recipientId, readOld!.id, old)).to.equal(true);
      expect(await repo.markRead(recipientId, readAtCutoff!.id, cutoff)).to.equal(true);
      expect(await repo.markRead(recipientId, readRecently!.id, T0)).to.equal(true);
      expect(await repo.purgeReadBefore(cutoff)).to.equal(1);
      const left_ = await repo.listAfter(recipientId, null, 10);
      expect(left_.map((n) => n.title)).to.deep.equal(['read at the cutoff', 'read recently', 'never read']);
      expect(right(await repo.list({ recipientId, unreadOnly: true }, first(10))).items.map((n) => n.title)).to.deep.equal(['never read']);
      expect(await repo.purgeReadBefore(cutoff)).to.equal(0);
      // Ids keep growing after a purge: the stream's "after this id" still sees what comes next.
      const [next] = await repo.insertAll([aNotification({ recipientId })], v7);
      expect(next!.id > stored[3]!.id).to.equal(true);
    });

    it('stores a notification as given, unread, and returns it', async () => {
      const n = aNotification();
      const [stored] = await repo.insertAll([n], v7);
      expect(stored).to.deep.include({ recipientId: n.recipientId, eventId: n.eventId, kind: n.kind, title: n.title, body: n.body, readAt: null });
      expect(stored!.data).to.deep.equal(n.data);
      expect(stored!.createdAt.toISOString()).to.equal(T0.toISOString());
      expect(await repo.listAfter(n.recipientId, null, 10)).to.deep.equal([stored]);
    });

    it('keeps one notification per (event, recipient): a repeat stores and announces nothing', async () => {
      const n = aNotification();
      const other = aNotification({ eventId: n.eventId });
      const once = await repo.insertAll([n, other], v7);
      expect(once).to.have.length(2);
      const before = (await fixture!.announced()).length;
      expect(await repo.insertAll([n, { ...other, title: 'changed' }], v7)).to.deep.equal([]);
      expect(await repo.listAfter(n.recipientId, null, 10)).to.have.length(1);
      expect((await repo.listAfter(other.recipientId, null, 10))[0]!.title).to.equal(other.title);
      expect((await fixture!.announced()).length).to.equal(before);
    });

    it('announces what it stored once committed', async () => {
      const n = aNotification();
      const [stored] = await repo.insertAll([n], v7);
      expect(await fixture!.announced()).to.deep.include({ recipientId: n.recipientId, notificationId: stored!.id });
    });

    it('gives ids after every id the recipient has, even when the generator runs behind', async () => {
      const recipientId = uuidv7();
      const early = uuidv7();
      const [a] = await repo.insertAll([aNotification({ recipientId })], v7);
      // A generator on a process whose clock is behind hands out an older id.
      const behind: IdGenerator = { next: () => early };
      const [b] = await repo.insertAll([aNotification({ recipientId })], behind);
      const [c] = await repo.insertAll([aNotification({ recipientId })], behind);
      expect(b!.id > a!.id).to.equal(true);
      expect(c!.id > b!.id).to.equal(true);
      expect(b!.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect((await repo.listAfter(recipientId, null, 10)).map((n) => n.id)).to.deep.equal([a!.id, b!.id, c!.id]);
    });

    it('lists after an id, oldest first, a bounded batch at a time; latestId is the newest', async () => {
      const recipientId = uuidv7();
      const stored: Notification[] = [];
      for (let i = 0; i < 5; i++) stored.push(...(await repo.insertAll([aNotification({ recipientId, title: `n${i}` })], v7)));
      await repo.insertAll([aNotification()], v7); // someone else's
      expect((await repo.listAfter(recipientId, null, 2)).map((n) => n.title)).to.deep.equal(['n0', 'n1']);
      expect((await repo.listAfter(recipientId, stored[1]!.id, 10)).map((n) => n.title)).to.deep.equal(['n2', 'n3', 'n4']);
      expect(await repo.listAfter(recipientId, stored[4]!.id, 10)).to.deep.equal([]);
      expect(await repo.latestId(recipientId)).to.equal(stored[4]!.id);
      expect(await repo.latestId(uuidv7())).to.equal(null);
    });

    it('lists newest first with the unread filter, by page and by cursor', async () => {
      const recipientId = uuidv7();
      for (let i = 0; i < 5; i++) {
        await repo.insertAll([aNotification({ recipientId, title: `n${i}`, createdAt: new Date(T0.getTime() + i * 1000) })], v7);
      }
      const all = right(await repo.list({ recipientId }, first(2)));
      expect(all.items.map((n) => n.title)).to.deep.equal(['n4', 'n3']);
      expect(all.total).to.equal(5);
      const next = right(await repo.list({ recipientId }, { page: 1, size: 2, cursor: all.nextCursor! }));
      expect(next.items.map((n) => n.title)).to.deep.equal(['n2', 'n1']);
      const last = right(await repo.list({ recipientId }, { page: 1, size: 2, cursor: next.nextCursor! }));
      expect(last.items.map((n) => n.title)).to.deep.equal(['n0']);
      expect(last.nextCursor).to.equal(null);

      expect(await repo.markRead(recipientId, all.items[0]!.id, T0)).to.equal(true);
      const unread = right(await repo.list({ recipientId, unreadOnly: true }, first(10)));
      expect(unread.items.map((n) => n.title)).to.deep.equal(['n3', 'n2', 'n1', 'n0']);
      expect(left(await repo.list({ recipientId }, { page: 1, size: 2, cursor: 'not-a-cursor' }))._tag).to.equal('Validation');
    });

    it('marks read only the recipient\'s own, keeping the first read time; read-all marks the rest', async () => {
      const recipientId = uuidv7();
      const [a] = await repo.insertAll([aNotification({ recipientId })], v7);
      const [b] = await repo.insertAll([aNotification({ recipientId })], v7);
      expect(await repo.markRead(uuidv7(), a!.id, T0)).to.equal(false);
      expect(await repo.markRead(recipientId, uuidv7(), T0)).to.equal(false);
      expect(await repo.markRead(recipientId, a!.id, T0)).to.equal(true);
      const later = new Date(T0.getTime() + 60_000);
      expect(await repo.markRead(recipientId, a!.id, later)).to.equal(true);
      await repo.markAllRead(recipientId, later);
      const items = right(await repo.list({ recipientId }, first(10))).items;
      const readAt = new Map(items.map((n) => [n.id, n.readAt?.toISOString()]));
      expect(readAt.get(a!.id)).to.equal(T0.toISOString());
      expect(readAt.get(b!.id)).to.equal(later.toISOString());
      expect(right(await repo.list({ recipientId, unreadOnly: true }, first(10))).items).to.deep.equal([]);
    });
  });
};
