import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { MemoryAuditLog } from '../../../adapters/memory/memory-audit-log.js';
import { MemoryNotificationRepository } from '../../../adapters/memory/memory-notification-repository.js';
import { InProcessNotificationBus } from '../../../adapters/system/in-process-notification-bus.js';
import { AuditTrailHandler } from '../../../core/audit/use-cases/audit-trail-handler.js';
import { AccountNotificationRule } from '../../../core/identity/rules/account-notification-rule.js';
import type { NotificationSignal } from '../../../core/notifications/ports/notification-bus.js';
import { NotificationHandler } from '../../../core/notifications/use-cases/notification-handler.js';
import type { NotificationRule } from '../../../core/notifications/ports/notification-rule.js';
import { WatchNotifications } from '../../../core/notifications/use-cases/watch-notifications.js';
import type { PublishedEvent } from '../../../core/shared/ports/event-handler.js';
import { anActor, left, right } from '../../support/builders.js';
import { ManualClock } from '../../support/manual-clock.js';

const ids = { next: () => uuidv7() };
const anEvent = (overrides: Partial<PublishedEvent> = {}): PublishedEvent => {
  const user = uuidv7();
  return { id: uuidv7(), type: 'password.changed', occurredAt: new Date('2031-01-01T00:00:00Z'), actorId: user, subjectId: user, data: {}, requestId: 'r1', ...overrides };
};

describe('event handlers: duplicate delivery applies the effect once', () => {
  it('the notification handler makes one notification per (event, recipient) however often and however concurrently it is delivered', async () => {
    const heard: NotificationSignal[] = [];
    const repo = new MemoryNotificationRepository((s) => heard.push(...s));
    const handler = new NotificationHandler([new AccountNotificationRule()], repo, ids, new ManualClock());
    const event = anEvent();
    await handler.handle(event);
    await Promise.all([handler.handle(event), handler.handle({ ...event })]);
    await handler.handle(event);
    const stored = await repo.listAfter(event.subjectId!, null, 10);
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ eventId: event.id, kind: 'account.password_changed' });
    expect(heard).to.have.length(1);
  });

  it('the audit handler records each event once, with its request id', async () => {
    const log = new MemoryAuditLog();
    const handler = new AuditTrailHandler(log);
    expect(handler.eventTypes).to.equal('*');
    const event = anEvent({ type: 'record.created', data: { name: 'x' } });
    await handler.handle(event);
    await handler.handle(event);
    const page = right(await log.list({}, { page: 1, size: 10 }));
    expect(page.items).to.have.length(1);
    expect(page.items[0]).to.deep.include({ id: event.id, type: 'record.created', requestId: 'r1', actorId: event.actorId });
  });

  it('wants the event types of its rules, and keeps the first draft when two rules address one person', async () => {
    const repo = new MemoryNotificationRepository();
    const user = uuidv7();
    const rule = (kind: string, types: string[]): NotificationRule => ({
      eventTypes: types,
      draft: () => [{ recipientId: user.toUpperCase(), kind, title: kind, body: '', data: {} }],
    });
    const handler = new NotificationHandler([rule('a', ['x.one']), rule('b', ['x.one', 'x.two'])], repo, ids, new ManualClock());
    expect([...handler.eventTypes].sort()).to.deep.equal(['x.one', 'x.two']);
    await handler.handle(anEvent({ type: 'x.one' }));
    await handler.handle(anEvent({ type: 'x.other' }));
    expect((await repo.listAfter(user, null, 10)).map((n) => n.kind)).to.deep.equal(['a']);
  });
});

describe('AccountNotificationRule', () => {
  const rule = new AccountNotificationRule();
  const user = uuidv7();
  const admin = uuidv7();
  const kinds = (e: Partial<PublishedEvent>) => rule.draft(anEvent({ subjectId: user, ...e })).map((d) => [d.recipientId, d.kind]);

  it('tells the account holder about a password change, a new email, being disabled or enabled, admin rights, a stolen token', () => {
    expect(kinds({ type: 'password.changed', actorId: user })).to.deep.equal([[user, 'account.password_changed']]);
    expect(kinds({ type: 'user.updated', actorId: user, data: { changed: ['email'] } })).to.deep.equal([[user, 'account.email_changed']]);
    expect(kinds({ type: 'user.updated', actorId: admin, data: { changed: ['is_active'], is_active: false } })).to.deep.equal([[user, 'account.disabled']]);
    expect(kinds({ type: 'user.updated', actorId: admin, data: { changed: ['is_active'], is_active: true } })).to.deep.equal([[user, 'account.enabled']]);
    expect(kinds({ type: 'user.updated', actorId: admin, data: { changed: ['is_superuser'], is_superuser: true } })).to.deep.equal([[user, 'account.admin_granted']]);
    expect(kinds({ type: 'session.reuse_detected', actorId: null, data: { session_id: 's' } })).to.deep.equal([[user, 'account.session_revoked']]);
  });

  it('tells of a sign-in from a device none of the active sessions uses, naming device and address', () => {
    const started = (data: Record<string, unknown>) => rule.draft(anEvent({ type: 'session.started', subjectId: user, actorId: user, data }));
    const [fresh] = started({ session_id: 's1', user_agent: 'Firefox on Linux', ip: '198.51.100.7', known_device: false });
    expect(fresh).to.deep.include({ recipientId: user, kind: 'account.new_sign_in', title: 'New sign-in to your account' });
    expect(fresh!.body).to.include('on Firefox on Linux from 198.51.100.7');
    expect(fresh!.data).to.deep.equal({ session_id: 's1', user_agent: 'Firefox on Linux', ip: '198.51.100.7' });
    expect(started({ session_id: 's2', user_agent: 'Firefox on Linux', ip: null, known_device: true })).to.deep.equal([]);
    expect(started({ session_id: 's3', user_agent: null, ip: null, known_device: false })[0]!.body).to.include('on an unknown device');
  });

  it('says who made the change, merges several changes into one message, and ignores changes that are no one\'s concern', () => {
    const [byAdmin] = rule.draft(anEvent({ type: 'user.updated', subjectId: user, actorId: admin, data: { changed: ['email'] } }));
    expect(byAdmin!.body).to.include('by an administrator');
    const merged = rule.draft(anEvent({ type: 'user.updated', subjectId: user, actorId: admin, data: { changed: ['email', 'is_active'], is_active: false } }));
    expect(merged.map((d) => d.kind)).to.deep.equal(['account.changed']);
    expect(merged[0]!.data).to.deep.equal({ kinds: ['account.email_changed', 'account.disabled'] });
    expect(kinds({ type: 'user.updated', data: { changed: ['full_name', 'username'] } })).to.deep.equal([]);
    expect(kinds({ type: 'user.updated', data: { changed: 'email' } })).to.deep.equal([]);
    expect(rule.draft(anEvent({ type: 'password.changed', subjectId: null }))).to.deep.equal([]);
  });
});

describe('WatchNotifications', () => {
  const setup = (max = 2) => {
    const bus = new InProcessNotificationBus();
    const repo = new MemoryNotificationRepository(bus.announce);
    return { bus, repo, watch: new WatchNotifications(repo, bus, max) };
  };
  const insert = (repo: MemoryNotificationRepository, recipientId: string) =>
    repo.insertAll([{ recipientId, eventId: uuidv7(), kind: 'k', title: 't', body: 'b', data: {}, createdAt: new Date() }], ids);

  it('wakes only for the caller\'s notifications and on resync, and hands each one out once', async () => {
    const { repo, watch, bus } = setup();
    const actor = anActor();
    let wakes = 0;
    const w = right(await watch.execute(actor, { onWake: () => (wakes += 1) }));
    await insert(repo, uuidv7());
    expect(wakes).to.equal(0);
    const [mine] = await insert(repo, actor.userId);
    expect(wakes).to.equal(1);
    expect((await w.next(10)).map((n) => n.id)).to.deep.equal([mine!.id]);
    expect(await w.next(10)).to.deep.equal([]);
    w.close();
    w.close();
    await insert(repo, actor.userId);
    expect(wakes).to.equal(1);
    expect(bus.subscribers).to.equal(0);
  });

  it('starts after Last-Event-ID; refuses a malformed one and more than the bound of streams per user', async () => {
    const { repo, watch } = setup(1);
    const actor = anActor();
    const [a] = await insert(repo, actor.userId);
    const [b] = await insert(repo, actor.userId);
    expect(left(await watch.execute(actor, { lastEventId: 'nope', onWake: () => undefined }))).to.deep.include({ _tag: 'Validation' });
    const w = right(await watch.execute(actor, { lastEventId: a!.id.toUpperCase(), onWake: () => undefined }));
    expect((await w.next(10)).map((n) => n.id)).to.deep.equal([b!.id]);
    expect(left(await watch.execute(actor, { onWake: () => undefined }))).to.deep.include({ _tag: 'RateLimited' });
    right(await watch.execute(anActor(), { onWake: () => undefined }));
    w.close();
    right(await watch.execute(actor, { onWake: () => undefined })).close();
  });
});
