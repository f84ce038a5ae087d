import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { intervalsOverlap } from '../../../core/scheduling/entities/schedule-overlap.js';
import { anActor, left, right, schedulingHarness } from './scheduling-harness.js';

const d = (iso: string) => new Date(iso);

describe('scheduling: creating schedules', () => {
  it('a giver creates own available slots, all in one batch, with who created them', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const saved = right(
      await h.create.execute(giver, [
        { giverId: giver.userId, startsAt: h.hour(24), endsAt: h.hour(25), note: 'Room 4' },
        { giverId: giver.userId.toUpperCase(), startsAt: h.hour(25), endsAt: h.hour(26) },
      ]),
    );
    expect(saved.map((s) => [s.status, s.takerId, s.giverId, s.createdBy, s.createdByRole, s.version])).to.deep.equal([
      ['available', null, giver.userId, giver.userId, 'giver', 1],
      ['available', null, giver.userId, giver.userId, 'giver', 1],
    ]);
    expect(h.eventTypes()).to.deep.equal(['schedule.created', 'schedule.created']);
  });

  it('a giver cannot create slots for another giver (403, nothing stored)', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const other = await h.aGiver();
    const error = left(await h.create.execute(giver, [{ giverId: other.userId, startsAt: h.hour(24), endsAt: h.hour(25) }]));
    expect(error._tag).to.equal('Forbidden');
    expect(right(await h.list.execute(giver, { sort: { field: 'starts_at', direction: 'asc' }, page: { page: 1, size: 10 } })).total).to.equal(0);
  });

  it('a taker cannot create available slots: what a taker creates is a pending request with taker_id = the taker', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const taker = h.aTaker();
    const [s] = right(await h.create.execute(taker, [{ giverId: giver.userId, startsAt: h.hour(24), endsAt: h.hour(25) }]));
    expect(s).to.include({ status: 'pending', takerId: taker.userId, giverId: giver.userId, createdBy: taker.userId, createdByRole: 'taker' });
    expect(h.eventTypes()).to.deep.equal(['schedule.requested']);
  });

  it("a taker cannot act as a giver: giver_id must name an active giver other than the taker (422 on the item's field)", async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const taker = h.aTaker();
    const error = left(
      await h.create.execute(taker, [
        { giverId: giver.userId, startsAt: h.hour(24), endsAt: h.hour(25) },
        { giverId: taker.userId, startsAt: h.hour(26), endsAt: h.hour(27) },
        { giverId: uuidv7(), startsAt: h.hour(28), endsAt: h.hour(29) },
      ]),
    );
    expect(error).to.deep.include({ _tag: 'Validation' });
    expect(error._tag === 'Validation' && error.issues.map((i) => i.field)).to.deep.equal(['schedules.1.giver_id', 'schedules.2.giver_id']);
    expect(h.eventTypes()).to.deep.equal([]);
  });

  it('checks times and notes, naming each item', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const g = giver.userId;
    const error = left(
      await h.create.execute(giver, [
        { giverId: g, startsAt: h.hour(-1), endsAt: h.hour(1) },
        { giverId: g, startsAt: h.hour(5), endsAt: h.hour(5) },
        { giverId: g, startsAt: h.hour(5), endsAt: h.hour(5 + 24 * 8) },
        { giverId: g, startsAt: h.hour(5), endsAt: h.hour(6), note: 'x'.repeat(2001) },
      ]),
    );
    expect(error._tag === 'Validation' && error.issues.map((i) => i.field)).to.deep.equal([
      'schedules.0.starts_at',
      'schedules.1.ends_at',
      'schedules.2.ends_at',
      'schedules.3.note',
    ]);
    expect(left(await h.create.execute(giver, []))).to.deep.include({ _tag: 'Validation' });
    for (const note of ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low']) {
      const bad = left(await h.create.execute(giver, [{ giverId: g, startsAt: h.hour(5), endsAt: h.hour(6), note }]));
      expect(bad._tag === 'Validation' && bad.issues.map((i) => i.field), JSON.stringify(note)).to.deep.equal(['schedules.0.note']);
    }
    right(await h.create.execute(giver, [{ giverId: g, startsAt: h.hour(5), endsAt: h.hour(6), note: 'a pair \ud83d\ude00 is fine' }]));
  });

  it('a batch with one overlapping item (with itself or with what is stored) creates nothing', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const g = giver.userId;
    const within = left(
      await h.create.execute(giver, [
        { giverId: g, startsAt: h.hour(24), endsAt: h.hour(26) },
        { giverId: g, startsAt: h.hour(25), endsAt: h.hour(27) },
      ]),
    );
    expect(within).to.deep.include({ _tag: 'Conflict' });
    expect(within.message).to.match(/^schedules\.1: /);
    expect(h.eventTypes()).to.deep.equal([]);
    expect(right(await h.list.execute(giver, { sort: { field: 'starts_at', direction: 'asc' }, page: { page: 1, size: 10 } })).total).to.equal(0);
  });
});

describe('scheduling: overlap edge cases', () => {
  const interval = (from: string, to: string) => ({ startsAt: d(from), endsAt: d(to) });
  const cases: readonly [string, ReturnType<typeof interval>, ReturnType<typeof interval>, boolean][] = [
    ['touching end to start', interval('2031-05-01T09:00:00Z', '2031-05-01T10:00:00Z'), interval('2031-05-01T10:00:00Z', '2031-05-01T11:00:00Z'), false],
    ['equal', interval('2031-05-01T09:00:00Z', '2031-05-01T10:00:00Z'), interval('2031-05-01T09:00:00Z', '2031-05-01T10:00:00Z'), true],
    ['contained', interval('2031-05-01T09:00:00Z', '2031-05-01T12:00:00Z'), interval('2031-05-01T10:00:00Z', '2031-05-01T11:00:00Z'), true],
    ['one millisecond apart', interval('2031-05-01T09:00:00Z', '2031-05-01T10:00:00.001Z'), interval('2031-05-01T10:00:00Z', '2031-05-01T11:00:00Z'), true],
    [
      'spanning midnight, written in two offsets',
      interval('2031-05-01T23:30:00+02:00', '2031-05-02T00:30:00+02:00'),
      interval('2031-05-01T22:15:00Z', '2031-05-01T22:45:00Z'),
      true,
    ],
    [
      // Europe's clocks go from 02:00 CET to 03:00 CEST on 2031-03-30: the wall clocks differ, the instants touch.
      'across the DST change, touching in instants though not on the wall clock',
      interval('2031-03-29T23:00:00+01:00', '2031-03-30T01:59:59+01:00'),
      interval('2031-03-30T02:59:59+02:00', '2031-03-30T04:00:00+02:00'),
      false,
    ],
    [
      'across the DST change, overlapping by the hour that the wall clock skips',
      interval('2031-03-30T01:00:00+01:00', '2031-03-30T03:30:00+02:00'),
      interval('2031-03-30T01:15:00Z', '2031-03-30T02:00:00Z'),
      true,
    ],
  ];
  for (const [label, a, b, overlapping] of cases) {
    it(`${label}: ${overlapping ? 'overlap' : 'no overlap'}`, async () => {
      expect(intervalsOverlap(a, b)).to.equal(overlapping);
      expect(intervalsOverlap(b, a)).to.equal(overlapping);
      // The same answer through the use case, so the rule that holds is the one users meet.
      const h = schedulingHarness();
      h.clock.set('2031-01-01T00:00:00Z');
      const giver = await h.aGiver();
      right(await h.create.execute(giver, [{ giverId: giver.userId, ...a }]));
      const second = await h.create.execute(giver, [{ giverId: giver.userId, ...b }]);
      if (overlapping) expect(left(second)._tag).to.equal('Conflict');
      else right(second);
    });
  }

  it("a pending request may not overlap the giver's available slot (book it instead), nor the taker's own booking", async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const otherGiver = await h.aGiver();
    const taker = h.aTaker();
    await h.aSlot(giver, 24, 25);
    expect(left(await h.create.execute(taker, [{ giverId: giver.userId, startsAt: h.hour(24.5), endsAt: h.hour(25.5) }]))._tag).to.equal('Conflict');
    right(await h.book.execute(taker, (await h.aSlot(otherGiver, 30, 31)).id));
    expect(left(await h.create.execute(taker, [{ giverId: giver.userId, startsAt: h.hour(30.5), endsAt: h.hour(32) }]))._tag).to.equal('Conflict');
  });

  it('moving re-checks overlap; a refused move changes nothing', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    await h.aSlot(giver, 24, 25);
    const s = await h.aSlot(giver, 25, 26);
    expect(left(await h.move.execute(giver, s.id, { startsAt: h.hour(24.5) }))._tag).to.equal('Conflict');
    expect(left(await h.move.execute(giver, s.id, { endsAt: h.hour(24.9) }))).to.deep.include({ _tag: 'Validation' });
    expect(await h.schedules.findById(s.id)).to.deep.equal(s);
    const moved = right(await h.move.execute(giver, s.id, { startsAt: h.hour(26), endsAt: h.hour(27) }));
    expect(moved).to.include({ version: 2 });
    expect(right(await h.move.execute(giver, s.id, { startsAt: h.hour(26) })), 'a no-op keeps the version').to.include({ version: 2 });
  });

  it('a cancelled or rejected schedule frees its time', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const s = await h.aSlot(giver, 24, 25);
    right(await h.cancel.execute(giver, s.id));
    await h.aSlot(giver, 24, 25);
    const taker = h.aTaker();
    const asked = await h.aRequest(taker, giver, 30, 31);
    right(await h.reject.execute(giver, asked.id));
    await h.aRequest(taker, giver, 30, 31);
  });
});

describe('scheduling: who sees what', () => {
  it('available slots are open to everyone; others only to their giver, taker and admins (404 otherwise)', async () => {
    const h = schedulingHarness();
    const giver = await h.aGiver();
    const taker = h.aTaker();
    const stranger = anActor({ role: 'taker' });
    const open = await h.aSlot(giver, 24, 25);
    const asked = await h.aRequest(taker, giver, 26, 27);
    right(await h.get.execute(stranger, open.id));
    expect(left(await h.get.execute(stranger, asked.id))._tag).to.equal('NotFound');
    right(await h.get.execute(anActor({ isAdmin: true }), asked.id));
    expect(left(await h.get.execute(giver, 'not-a-uuid'))._tag).to.equal('NotFound');
    const listed = (actor: typeof giver) =>
      h.list.execute(actor, { sort: { field: 'starts_at', direction: 'asc' }, page: { page: 1, size: 10 } }).then((r) => right(r).items.map((s) => s.id));
    expect(await listed(stranger)).to.deep.equal([open.id]);
    expect(await listed(taker)).to.deep.equal([open.id, asked.id]);
    expect(await listed(giver)).to.deep.equal([open.id, asked.id]);
  });
});
