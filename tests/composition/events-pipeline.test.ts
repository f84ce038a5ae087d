import { expect } from 'chai';
import request from 'supertest';
import type { MemoryEventOutbox } from '../../adapters/memory/memory-event-outbox.js';
import { EVENT_TOKENS, startEventPipeline } from '../../composition/events.js';
import { TOKENS } from '../../composition/tokens.js';
import { EffectHandler } from '../contracts/event-publisher.contract.js';
import { buildTestApp } from '../support/app.js';
import { waitFor } from '../support/events.js';

describe('event pipeline on the memory profile (composition/events.ts)', () => {
  it('a commit wakes the relay: the handler sees the event with its request id; housekeeping purges it after the retention', async () => {
    const t = await buildTestApp({ EVENTS_POLL_MS: '600000', EVENTS_RETENTION_HOURS: '2' });
    const handler = new EffectHandler('probe', '*');
    t.container.bind(TOKENS.EventHandler).toConstantValue(handler);
    const pipeline = await startEventPipeline(t.container, 'api');
    try {
      const res = await request(t.app)
        .post('/api/v1/auth/register')
        .set('X-Request-ID', 'req-memory-1')
        .send({ email: 'mem@example.com', username: 'memory', password: 'a long enough passphrase 42' });
      expect(res.status).to.equal(201);
      await waitFor(async () => handler.effects.size === 1, 'the handler to run', 5_000);
      expect([...handler.effects.values()][0]).to.deep.include({ type: 'user.registered', requestInScope: 'req-memory-1' });
      await pipeline!.relay.idle();

      const outbox = t.container.get(EVENT_TOKENS.OutboxQueue) as MemoryEventOutbox;
      expect(outbox.all()).to.have.length(1);
      const purge = t.runtime.infra.maintenance.find((task) => task.name === 'delivered outbox events')!;
      expect(await purge.run(new Date(Date.now() + 3_600_000))).to.equal(0);
      expect(await purge.run(new Date(Date.now() + 2 * 3_600_000 + 60_000))).to.equal(1);
      expect(outbox.all()).to.have.length(0);
    } finally {
      await pipeline?.stop();
      await t.close();
    }
  });

  it('the API runs no relay when EVENTS_RELAY_IN_API=false', async () => {
    const t = await buildTestApp({ EVENTS_RELAY_IN_API: 'false' });
    try {
      expect(await startEventPipeline(t.container, 'api')).to.equal(null);
    } finally {
      await t.close();
    }
  });
});
