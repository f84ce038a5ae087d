import { expect } from 'chai';
import { ScheduleNotificationRule } from '../../../core/scheduling/rules/schedule-notification-rule.js';
import { right, schedulingHarness } from './scheduling-harness.js';

/** The events real use cases record, drafted by the rule: who hears of what. */
describe('scheduling: notification rule', () => {
  const rule = new ScheduleNotificationRule();
  const draftsOf = (h: ReturnType<typeof schedulingHarness>, from: number) =>
    h.events.all().slice(from).flatMap((e) => rule.draft(e).map((n) => ({ to: n.recipientId, kind: n.kind })));

  it('tells the other participant of every change, never the one who made it', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const taker = h.aTaker();
    const G = giver.userId;
    const T = taker.userId;

    const slot = await h.aSlot(giver, 24, 25);
    expect(draftsOf(h, 0), 'a new open slot concerns nobody else').to.deep.equal([]);
    let mark = h.events.all().length;
    right(await h.book.execute(taker, slot.id));
    right(await h.cancel.execute(taker, slot.id));
    expect(draftsOf(h, mark)).to.deep.equal([
      { to: G, kind: 'schedule.booked' },
      { to: G, kind: 'schedule.cancelled' },
    ]);

    mark = h.events.all().length;
    const asked = await h.aRequest(taker, giver, 30, 31);
    right(await h.move.execute(taker, asked.id, { startsAt: h.hour(32), endsAt: h.hour(33) }));
    right(await h.accept.execute(giver, asked.id));
    const again = await h.aRequest(taker, giver, 40, 41);
    right(await h.reject.execute(giver, again.id));
    const withdrawn = await h.aRequest(taker, giver, 50, 51);
    right(await h.remove.execute(taker, withdrawn.id));
    expect(draftsOf(h, mark)).to.deep.equal([
      { to: G, kind: 'schedule.requested' },
      { to: G, kind: 'schedule.moved' },
      { to: T, kind: 'schedule.accepted' },
      { to: G, kind: 'schedule.requested' },
      { to: T, kind: 'schedule.rejected' },
      { to: G, kind: 'schedule.requested' },
      { to: G, kind: 'schedule.deleted' },
    ]);
  });

  it('when an admin or the system acts, both participants hear of it, with times and schedule id', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const taker = h.aTaker();
    const booked = right(await h.book.execute(taker, (await h.aSlot(giver, 24, 25)).id));
    const mark = h.events.all().length;
    right(await h.cancel.execute({ ...h.aTaker(), isAdmin: true }, booked.id));
    const [event] = h.events.all().slice(mark);
    const drafts = rule.draft(event!);
    expect(drafts.map((n) => n.recipientId)).to.deep.equal([giver.userId, taker.userId]);
    expect(drafts[0]).to.deep.include({ kind: 'schedule.cancelled', title: 'Schedule cancelled' });
    expect(drafts[0]!.body).to.equal(`An administrator cancelled the schedule from ${booked.startsAt.toISOString()} to ${booked.endsAt.toISOString()}.`);
    expect(drafts[0]!.data).to.include({ schedule_id: booked.id, giver_id: giver.userId, taker_id: taker.userId });
    expect(rule.eventTypes).to.include.members(['schedule.booked', 'schedule.requested', 'schedule.accepted', 'schedule.rejected', 'schedule.cancelled', 'schedule.moved']);
  });
});
