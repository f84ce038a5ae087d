import type { BullmqEventSettings } from '../../adapters/bullmq/bullmq-events.js';
import type { TestRedis } from './databases.js';
import { REDIS_URL } from './services.js';

/** Polls a real external system until `done` (bounded); no fixed sleeps in assertions. */
export const waitFor = async (done: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

export const testBullmqSettings = (redis: TestRedis, overrides: Partial<BullmqEventSettings> = {}): BullmqEventSettings => ({
  redisUrl: REDIS_URL,
  queueName: 'events',
  prefix: redis.prefix.slice(0, -1),
  attempts: 5,
  backoffMs: 20,
  completedAgeSeconds: 3600,
  keepCompleted: 1000,
  failedAgeSeconds: 3600,
  ...overrides,
});
