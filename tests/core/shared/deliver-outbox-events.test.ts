import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import { MemoryEventOutbox } from '../../../adapters/memory/memory-event-outbox.js';
import { DeliverOutboxEvents, DEFAULT_RELAY_SETTINGS, type RelaySettings } from '../../../core/shared/use-cases/deliver-outbox-events.js';
import { DispatchEvent, HandlersFailedError } from '../../../core/shared/use-cases/dispatch-event.js';
import type { EventHandler, PublishedEvent } from '../../../core/shared/ports/event-handler.js';
import type { EventPublisher } from '../../../core/shared/ports/event-publisher.js';
import type { DomainEvent } from '../../../core/shared/entities/events.js';
import { DependencyUnavailableError } from '../../../core/shared/entities/errors.js';
import { ManualClock } from '../../support/manual-clock.js';
import { silentLogger } from '../../support/routes-app.js';

const settings: RelaySettings = { ...DEFAULT_RELAY_SETTINGS, batchSize: 10, leaseMs: 60_000, maxAttempts: 3, baseBackoffMs: 1_000 };

const anEvent = (clock: ManualClock, type = 'record.created'): DomainEvent => ({
  id: uuidv7(),
  type,
  occurredAt: clock.now(),
  actorId: null,
  subjectId: null,
  data: {},
});

/** A handler whose effect is keyed by event id (as real handlers must be): it counts calls and effects. */
class CountingHandler implements EventHandler {
  readonly name = 'counting';
  readonly eventTypes = '*' as const;
  readonly effects = new Map<string, number>();
  calls = 0;
  async handle(event: PublishedEvent): Promise<void> {
    this.calls += 1;
    if (!this.effects.has(event.id)) this.effects.set(event.id, 1);
  }
}

const setup = () => {
  const clock = new ManualClock();
  const outbox = new MemoryEventOutbox(() => 'req-7');
  const handler = new CountingHandler();
  const dispatch = new DispatchEvent(() => [handler], silentLogger);
  const relay = (publisher: EventPublisher = dispatch) => new DeliverOutboxEvents(outbox, publisher, clock, silentLogger, settings);
  return { clock, outbox, handler, dispatch, relay };
};

describe('DeliverOutboxEvents (the outbox relay step)', () => {
  it('hands committed events to the publisher in order and marks them delivered, once', async () => {
    const { clock, outbox, relay } = setup();
    const seen: string[] = [];
    const first = anEvent(clock);
    clock.advanceSeconds(1);
    const second = anEvent(clock);
    await outbox.record(second);
    await outbox.record(first);
    const r = relay({ publish: async (e) => void seen.push(e.id) });
    expect(await r.execute()).to.deep.equal({ claimed: 2, delivered: 2, failed: 0 });
    expect(seen).to.deep.equal([first.id, second.id]);
    expect(outbox.delivery(first.id)?.deliveredAt).to.equal(clock.now().getTime());
    clock.advanceSeconds(3600);
    expect(await r.execute()).to.deep.equal({ claimed: 0, delivered: 0, failed: 0 });
    expect(seen).to.have.length(2);
  });

  it('with publishConcurrency, keeps that many hand-overs of a batch in flight, starts them oldest first, and marks each by its own outcome', async () => {
    const { clock, outbox } = setup();
    const events = Array.from({ length: 5 }, () => {
      clock.advanceSeconds(1);
      return anEvent(clock);
    });
    for (const e of [...events].reverse()) await outbox.record(e);
    const started: string[] = [];
    const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
    const publisher: EventPublisher = {
      publish: (e) =>
        new Promise<void>((resolve, reject) => {
          started.push(e.id);
          pending.set(e.id, { resolve, reject });
        }),
    };
    const r = new DeliverOutboxEvents(outbox, publisher, clock, silentLogger, { ...settings, publishConcurrency: 2 });
    const round = r.execute();
    const settle = async () => {
      for (let i = 0; i < 10; i += 1) await Promise.resolve();
    };
    await settle();
    expect(started).to.deep.equal([events[0]!.id, events[1]!.id]);
    pending.get(events[1]!.id)!.reject(new Error('redis hiccup'));
    await settle();
    expect(started).to.deep.equal([events[0]!.id, events[1]!.id, events[2]!.id]);
    pending.get(events[0]!.id)!.resolve();
    await settle();
    expect(started).to.have.length(4);
    pending.get(events[2]!.id)!.resolve();
    pending.get(events[3]!.id)!.resolve();
    await settle();
    pending.get(events[4]!.id)!.resolve();
    expect(await round).to.deep.equal({ claimed: 5, delivered: 4, failed: 1 });
    expect(started).to.deep.equal(events.map((e) => e.id));
    for (const e of [events[0]!, events[2]!, events[3]!, events[4]!]) expect(outbox.delivery(e.id)?.deliveredAt).to.equal(clock.now().getTime());
    expect(outbox.delivery(events[1]!.id)).to.deep.include({ deliveredAt: null, lastError: 'redis hiccup' });
  });

  it('retries a failed hand-over with exponential backoff, then gives the event up and keeps its error', async () => {
    const { clock, outbox, relay } = setup();
    const event = anEvent(clock);
    await outbox.record(event);
    let calls = 0;
    const r = relay({
      publish: async () => {
        calls += 1;
        throw new Error('redis down');
      },
    });
    expect((await r.execute()).failed).to.equal(1);
    clock.advanceSeconds(0.999);
    expect((await r.execute()).claimed).to.equal(0);
    clock.advanceSeconds(0.001); // 1 s after the first failure
    expect((await r.execute()).failed).to.equal(1);
    clock.advanceSeconds(1.999);
    expect((await r.execute()).claimed).to.equal(0);
    clock.advanceSeconds(0.001); // 2 s after the second
    expect((await r.execute()).failed).to.equal(1);
    expect(calls).to.equal(3);
    expect(outbox.delivery(event.id)).to.deep.include({ failedAt: true, lastError: 'redis down', attempts: 3 });
    clock.advanceSeconds(86_400);
    expect((await r.execute()).claimed).to.equal(0);
  });

  it('loses nothing when the relay dies between commit and publish: another relay delivers once the lease ends', async () => {
    const { clock, outbox, relay, handler } = setup();
    const event = anEvent(clock);
    await outbox.record(event);
    // The first relay claims and dies before publishing (its publish never settles).
    const dying = relay({ publish: () => new Promise<void>(() => undefined) });
    void dying.execute();
    await Promise.resolve();
    const survivor = relay();
    expect((await survivor.execute()).claimed).to.equal(0);
    clock.advanceSeconds(60);
    expect(await survivor.execute()).to.deep.include({ claimed: 1, delivered: 1 });
    expect(handler.effects.get(event.id)).to.equal(1);
  });

  it('applies the effect once when an event is delivered twice (relay died after publishing, before marking)', async () => {
    const { clock, outbox, relay, handler, dispatch } = setup();
    const event = anEvent(clock);
    await outbox.record(event);
    // Publishes (the handler runs), then dies before markDelivered: simulated by a lost mark.
    const r1 = relay({
      publish: async (e) => {
        await dispatch.publish(e);
        throw new Error('process killed before the event was marked');
      },
    });
    await r1.execute();
    clock.advanceSeconds(60);
    await relay().execute();
    expect(handler.calls).to.equal(2);
    expect([...handler.effects.values()]).to.deep.equal([1]);
    expect(outbox.delivery(event.id)?.deliveredAt).to.not.equal(null);
  });
});

describe('DispatchEvent (in-process transport, and what a queue consumer runs)', () => {
  it('runs only the handlers that want the type, inside the request scope of the event', async () => {
    const calls: string[] = [];
    const scopes: (string | null)[] = [];
    const handler = (name: string, types: readonly string[] | '*'): EventHandler => ({
      name,
      eventTypes: types,
      handle: async (e) => void calls.push(`${name}:${e.type}:${e.requestId}`),
    });
    const dispatch = new DispatchEvent(
      () => [handler('audit', '*'), handler('notify', ['password.changed'])],
      silentLogger,
      async (requestId, work) => {
        scopes.push(requestId);
        return work();
      },
    );
    const base = { occurredAt: new Date(), actorId: null, subjectId: null, data: {} };
    await dispatch.publish({ ...base, id: uuidv7(), type: 'record.created', requestId: 'req-1' });
    await dispatch.publish({ ...base, id: uuidv7(), type: 'password.changed', requestId: 'req-2' });
    expect(calls).to.deep.equal(['audit:record.created:req-1', 'audit:password.changed:req-2', 'notify:password.changed:req-2']);
    expect(scopes).to.deep.equal(['req-1', 'req-2']);
  });

  it('a failing handler does not stop the others; the event fails with every failure named', async () => {
    const ran: string[] = [];
    const dispatch = new DispatchEvent(
      () => [
        { name: 'broken', eventTypes: '*', handle: async () => Promise.reject(new Error('disk full')) },
        { name: 'fine', eventTypes: '*', handle: async () => void ran.push('fine') },
      ],
      silentLogger,
    );
    const error = await dispatch
      .publish({ id: 'e1', type: 't', occurredAt: new Date(), actorId: null, subjectId: null, data: {}, requestId: null })
      .then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(HandlersFailedError);
    expect((error as Error).message).to.equal('event e1: broken failed: disk full');
    expect(ran).to.deep.equal(['fine']);
  });
});

describe('DeliverOutboxEvents and transport outages', () => {
  it('never gives up an event because the transport is down; delivers it when it is back', async () => {
    const { clock, outbox } = setup();
    const event = anEvent(clock);
    await outbox.record(event);
    let up = false;
    const seen: string[] = [];
    const r = new DeliverOutboxEvents(
      outbox,
      {
        publish: async (e) => {
          if (!up) throw new DependencyUnavailableError('redis');
          seen.push(e.id);
        },
      },
      clock,
      silentLogger,
      settings,
    );
    for (let i = 0; i < settings.maxAttempts + 3; i += 1) {
      await r.execute();
      clock.advanceSeconds(3600);
    }
    expect(outbox.delivery(event.id)).to.deep.include({ failedAt: false, deliveredAt: null });
    up = true;
    await r.execute();
    expect(seen).to.deep.equal([event.id]);
  });
});
