import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import type { EventHandler, PublishedEvent } from '../../core/shared/ports/event-handler.js';
import type { EventPublisher } from '../../core/shared/ports/event-publisher.js';
import { currentRequestId } from '../../composition/request-context.js';

export interface EventPublisherFixture {
  readonly publisher: EventPublisher;
  /** The handlers the transport's consumer runs (tests replace them). */
  setHandlers(handlers: readonly EventHandler[]): void;
  /** Resolves once everything published so far has been handled or has failed for good. */
  settle(): Promise<void>;
  close?(): Promise<void>;
}

/** Keyed by event id, like every real handler: the effect lands once however often it is called. */
export class EffectHandler implements EventHandler {
  readonly effects = new Map<string, { type: string; requestInScope: string | null; event: PublishedEvent }>();
  calls = 0;
  failuresLeft = 0;
  constructor(
    readonly name: string,
    readonly eventTypes: readonly string[] | '*',
  ) {}
  async handle(event: PublishedEvent): Promise<void> {
    this.calls += 1;
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error(`${this.name} is failing on purpose`);
    }
    if (!this.effects.has(event.id)) this.effects.set(event.id, { type: event.type, requestInScope: currentRequestId(), event });
  }
}

export const aPublishedEvent = (type: string, requestId: string | null = 'req-9'): PublishedEvent => ({
  id: uuidv7(),
  type,
  occurredAt: new Date('2031-02-03T04:05:06.789Z'),
  actorId: uuidv7(),
  subjectId: null,
  data: { name: 'Ünïcödé ✓', nested: { list: [1, 2, 3] } },
  requestId,
});

/** What every event transport guarantees (in-process dispatch, BullMQ). */
export const eventPublisherContract = (name: string, setup: (ctx: Mocha.Context) => Promise<EventPublisherFixture>): void => {
  describe(`EventPublisher contract: ${name}`, function () {
    let fixture: EventPublisherFixture | undefined;
    before(async function () {
      fixture = await setup(this);
    });
    after(async () => fixture?.close?.());

    /** As the relay does: a rejected publish is tried again. */
    const deliver = async (event: PublishedEvent, tries = 5): Promise<void> => {
      for (let i = 0; ; i += 1) {
        try {
          await fixture!.publisher.publish(event);
          return;
        } catch (error) {
          if (i + 1 >= tries) throw error;
        }
      }
    };

    it('delivers each event, whole, to the handlers that want its type, inside its request scope', async () => {
      const audit = new EffectHandler('audit', '*');
      const onlyPasswords = new EffectHandler('notify', ['password.changed']);
      fixture!.setHandlers([audit, onlyPasswords]);
      const created = aPublishedEvent('record.created', 'req-a');
      const changed = aPublishedEvent('password.changed', null);
      await deliver(created);
      await deliver(changed);
      await fixture!.settle();
      expect([...audit.effects.keys()].sort()).to.deep.equal([created.id, changed.id].sort());
      expect([...onlyPasswords.effects.keys()]).to.deep.equal([changed.id]);
      const seen = audit.effects.get(created.id)!;
      expect(seen.requestInScope).to.equal('req-a');
      expect(seen.event).to.deep.equal(created);
      expect(seen.event.occurredAt).to.be.instanceOf(Date);
      expect(audit.effects.get(changed.id)!.requestInScope).to.equal(null);
    });

    it('publishing the same event twice applies its effect once', async () => {
      const handler = new EffectHandler('audit', '*');
      fixture!.setHandlers([handler]);
      const event = aPublishedEvent('user.registered');
      await deliver(event);
      await fixture!.settle();
      await deliver(event);
      await fixture!.settle();
      expect(handler.effects.size).to.equal(1);
      expect(handler.calls).to.be.within(1, 2);
    });

    it('an event whose handler fails is retried until the effect lands', async () => {
      const handler = new EffectHandler('flaky', '*');
      handler.failuresLeft = 2;
      fixture!.setHandlers([handler]);
      const event = aPublishedEvent('record.updated');
      await deliver(event);
      await fixture!.settle();
      expect(handler.calls).to.equal(3);
      expect([...handler.effects.keys()]).to.deep.equal([event.id]);
    });
  });
};
