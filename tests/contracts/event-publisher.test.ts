import { expect } from 'chai';
import { BullmqEventConsumer, BullmqEventPublisher, type BullmqEventSettings } from '../../adapters/bullmq/bullmq-events.js';
import { DispatchEvent } from '../../core/shared/use-cases/dispatch-event.js';
import type { EventHandler } from '../../core/shared/ports/event-handler.js';
import { withRequestId } from '../../composition/request-context.js';
import { openRedis } from '../support/databases.js';
import { testBullmqSettings, waitFor } from '../support/events.js';
import { silentLogger } from '../support/routes-app.js';
import { aPublishedEvent, EffectHandler, eventPublisherContract } from './event-publisher.contract.js';

eventPublisherContract('in-process dispatch', async () => {
  let handlers: readonly EventHandler[] = [];
  return {
    publisher: new DispatchEvent(() => handlers, silentLogger, withRequestId),
    setHandlers: (h) => void (handlers = h),
    settle: async () => undefined,
  };
});

const bullmqFixture = async (ctx: Mocha.Context, overrides: Partial<BullmqEventSettings> = {}) => {
  const redis = await openRedis(ctx);
  const settings = testBullmqSettings(redis, overrides);
  let handlers: readonly EventHandler[] = [];
  const publisher = new BullmqEventPublisher(settings);
  const dispatch = new DispatchEvent(() => handlers, silentLogger, withRequestId);
  const consumer = new BullmqEventConsumer(settings, (e) => dispatch.execute(e), {
    concurrency: 2,
    lockDurationMs: 5_000,
    stalledIntervalMs: 2_500,
    onError: () => undefined,
  });
  consumer.start();
  await consumer.waitUntilReady();
  return {
    publisher,
    setHandlers: (h: readonly EventHandler[]) => void (handlers = h),
    settle: () =>
      waitFor(async () => {
        const c = await publisher.counts();
        return c['waiting'] === 0 && c['active'] === 0 && c['delayed'] === 0;
      }, 'the events queue to drain'),
    close: async () => {
      await consumer.close();
      await publisher.close();
      await redis.close();
    },
  };
};

eventPublisherContract('BullMQ on Redis', (ctx) => bullmqFixture(ctx));

describe('BullMQ events transport', function () {
  it('runs an event published twice once (the event id is the job id)', async function () {
    const f = await bullmqFixture(this);
    try {
      const handler = new EffectHandler('audit', '*');
      f.setHandlers([handler]);
      const event = aPublishedEvent('x.happened');
      await f.publisher.publish(event);
      await f.publisher.publish(event);
      await f.settle();
      await f.publisher.publish(event);
      await f.settle();
      expect(handler.calls).to.equal(1);
    } finally {
      await f.close();
    }
  });

  it('keeps an event that keeps failing as a failed job, with its reason and attempts', async function () {
    const f = await bullmqFixture(this, { attempts: 3 });
    try {
      const handler = new EffectHandler('broken', '*');
      handler.failuresLeft = 100;
      f.setHandlers([handler]);
      const event = aPublishedEvent('x.failed');
      await f.publisher.publish(event);
      await f.settle();
      expect(handler.calls).to.equal(3);
      expect(await f.publisher.failed()).to.deep.equal([
        { id: event.id, reason: `event ${event.id}: broken failed: broken is failing on purpose`, attempts: 3 },
      ]);
    } finally {
      await f.close();
    }
  });

  it('keeps a bounded number of completed jobs', async function () {
    const f = await bullmqFixture(this, { keepCompleted: 3 });
    try {
      f.setHandlers([new EffectHandler('audit', '*')]);
      for (let i = 0; i < 8; i += 1) await f.publisher.publish(aPublishedEvent('x.done'));
      await f.settle();
      expect((await f.publisher.counts())['completed']).to.be.at.most(3);
    } finally {
      await f.close();
    }
  });
});
