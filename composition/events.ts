import type { Container } from 'inversify';
import type { Clock } from '../core/shared/ports/clock.js';
import { DeliverOutboxEvents, DEFAULT_RELAY_SETTINGS, type RelaySettings } from '../core/shared/use-cases/deliver-outbox-events.js';
import { DispatchEvent } from '../core/shared/use-cases/dispatch-event.js';
import type { EventHandler } from '../core/shared/ports/event-handler.js';
import type { EventPublisher } from '../core/shared/ports/event-publisher.js';
import type { Logger } from '../core/shared/ports/logger.js';
import type { OutboxQueue } from '../core/shared/ports/outbox-queue.js';
import type { BullmqEventSettings } from '../adapters/bullmq/bullmq-events.js';
import { listenForOutboxEvents } from '../adapters/postgres/outbox-listener.js';
import type { Config } from './config.js';
import { withRequestId } from './request-context.js';
import { token, TOKENS } from './tokens.js';
import { WakeLoop } from './wake-loop.js';

/**
 * The event pipeline's wiring: outbox relay loop, transports and the worker's consumer. See
 * docs/events-and-jobs.md for the guarantees.
 */
export const EVENT_TOKENS = {
  /** The delivery side of the outbox the unit of work writes to. */
  OutboxQueue: token<OutboxQueue>('events.OutboxQueue'),
  /** Told after every committed unit of work, so this process's relay runs at once. */
  Commits: token<CommitSignal>('events.Commits'),
};

/** A tiny in-process signal: units of work call `notify` after commit; the relay subscribes. */
export class CommitSignal {
  private readonly listeners = new Set<() => void>();

  notify = (): void => {
    for (const listener of this.listeners) listener();
  };

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Events a relay hands to BullMQ at once: one claimed batch costs a few round trips to Redis, not one per event. */
export const BULLMQ_PUBLISH_CONCURRENCY = 32;

export const relaySettings = (config: Config): RelaySettings => ({
  ...DEFAULT_RELAY_SETTINGS,
  maxAttempts: config.events.maxAttempts,
  // In process, a hand-over runs the handlers themselves: one at a time, as they always ran.
  publishConcurrency: config.events.transport === 'bullmq' ? BULLMQ_PUBLISH_CONCURRENCY : 1,
});

export const bullmqSettings = (config: Config): BullmqEventSettings => ({
  redisUrl: config.redisUrl!,
  queueName: 'events',
  prefix: config.events.queuePrefix,
  attempts: config.events.maxAttempts,
  backoffMs: 1_000,
  completedAgeSeconds: 24 * 3600,
  keepCompleted: 10_000,
  failedAgeSeconds: 30 * 24 * 3600,
});

/** The handlers bound in the container (none is fine). */
export const eventHandlers = (container: Container): (() => readonly EventHandler[]) => {
  let handlers: readonly EventHandler[] | null = null;
  return () => (handlers ??= container.getAll(TOKENS.EventHandler, { optional: true }));
};

export const dispatcher = (container: Container, logger: Logger): DispatchEvent =>
  new DispatchEvent(eventHandlers(container), logger.child('events.handlers'), withRequestId);

export interface EventPipeline {
  readonly relay: WakeLoop;
  stop(): Promise<void>;
}

/**
 * Starts this process's share of event delivery: the outbox relay (woken by local commits, by
 * LISTEN/NOTIFY on Postgres and by a slow poll) and, in a worker on the BullMQ transport, the
 * consumer that runs the handlers. `role` is `api` (server) or `worker`.
 */
export const startEventPipeline = async (container: Container, role: 'api' | 'worker'): Promise<EventPipeline | null> => {
  const config = container.get(TOKENS.Config);
  const logger = container.get(TOKENS.Logger).child('events');
  const clock: Clock = container.get(TOKENS.Clock);
  if (role === 'api' && !config.events.relayInApi) return null;

  const stops: (() => Promise<void>)[] = [];
  let publisher: EventPublisher;
  if (config.events.transport === 'bullmq') {
    // Loaded only when selected: BullMQ and its Redis client stay out of the other profiles.
    const { BullmqEventConsumer, BullmqEventPublisher } = await import('../adapters/bullmq/bullmq-events.js');
    const bullmq = new BullmqEventPublisher(bullmqSettings(config));
    stops.push(() => bullmq.close());
    publisher = bullmq;
    if (role === 'worker') {
      const dispatch = dispatcher(container, logger);
      const consumer = new BullmqEventConsumer(bullmqSettings(config), (event) => dispatch.execute(event), {
        concurrency: config.events.workerConcurrency,
        lockDurationMs: 30_000,
        stalledIntervalMs: 15_000,
        onError: (error) => logger.warn(`event queue: ${error.message}`),
      });
      consumer.start();
      // Closed first: active jobs finish before the connections go.
      stops.unshift(() => consumer.close());
    }
  } else {
    publisher = dispatcher(container, logger);
  }

  const settings = relaySettings(config);
  const deliver = new DeliverOutboxEvents(container.get(EVENT_TOKENS.OutboxQueue), publisher, clock, logger.child('relay'), settings);
  const relay = new WakeLoop(
    async () => {
      const round = await deliver.execute();
      return round.claimed >= settings.batchSize && round.failed < round.claimed ? 'more' : 'done';
    },
    // Database down: the poll tries again; nothing is lost, the events stay in the outbox.
    (error) => logger.child('relay').warn('outbox relay round failed', { error }),
    config.events.pollMs,
  );
  const unsubscribe = container.get(EVENT_TOKENS.Commits).subscribe(relay.wake);
  if (config.adapters.database === 'postgres' && config.databaseUrl) {
    const listener = listenForOutboxEvents(config.databaseUrl, relay.wake, (error) => logger.warn(`outbox listener: ${error.message}`));
    stops.unshift(() => listener.close());
  }
  relay.start();
  stops.unshift(async () => {
    unsubscribe();
    await relay.stop();
  });
  return {
    relay,
    async stop() {
      for (const stop of stops) {
        try {
          await stop();
        } catch (error) {
          logger.warn('error while stopping event delivery', { error });
        }
      }
    },
  };
};
