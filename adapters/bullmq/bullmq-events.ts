import { createClient } from 'redis';
import { createNodeRedisClient, Queue, Worker, type Job } from 'bullmq';
import type { PublishedEvent } from '../../core/shared/ports/event-handler.js';
import type { EventPublisher } from '../../core/shared/ports/event-publisher.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

/** How BullMQ keeps, retries and recovers event jobs. */
export interface BullmqEventSettings {
  readonly redisUrl: string;
  /** Queue name; the key prefix keeps deployments (and tests) sharing one Redis apart. */
  readonly queueName: string;
  readonly prefix: string;
  /** Attempts per event, with exponential backoff from `backoffMs`. */
  readonly attempts: number;
  readonly backoffMs: number;
  /** Completed jobs are kept this long (seconds) and at most `keepCompleted`; failed ones `failedAgeSeconds`. */
  readonly completedAgeSeconds: number;
  readonly keepCompleted: number;
  readonly failedAgeSeconds: number;
}

interface EventJobData {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly actorId: string | null;
  readonly subjectId: string | null;
  readonly requestId: string | null;
  readonly data: Record<string, unknown>;
}

const toJob = (event: PublishedEvent): EventJobData => ({
  id: event.id,
  type: event.type,
  occurredAt: event.occurredAt.toISOString(),
  actorId: event.actorId,
  subjectId: event.subjectId,
  requestId: event.requestId,
  data: { ...event.data },
});

const fromJob = (data: EventJobData): PublishedEvent => ({ ...data, occurredAt: new Date(data.occurredAt) });

/**
 * A node-redis client of its own for BullMQ (which duplicates it for blocking reads). BullMQ
 * treats a client it is given as shared and never closes it, so the owner does: `close`.
 */
const nodeRedis = (url: string) => {
  const raw = createClient({ url, socket: { connectTimeout: 5_000, reconnectStrategy: (retries: number) => Math.min(retries * 200, 5_000) } });
  raw.on('error', () => undefined);
  return {
    connection: createNodeRedisClient(raw),
    close: async () => {
      if (raw.isOpen) await raw.close().catch(() => raw.destroy());
    },
  };
};

/**
 * Publishes each event as one BullMQ job whose id is the event id: publishing an event again while
 * its job is kept is a no-op, so a relay that dies between publishing and marking the event does
 * not make BullMQ run it twice.
 */
export class BullmqEventPublisher implements EventPublisher {
  private readonly queue: Queue<EventJobData>;
  private readonly redis: ReturnType<typeof nodeRedis>;

  constructor(private readonly settings: BullmqEventSettings) {
    this.redis = nodeRedis(settings.redisUrl);
    this.queue = new Queue<EventJobData>(settings.queueName, { connection: this.redis.connection, prefix: settings.prefix });
    // Errors surface on the calls; the queue's own event would otherwise be unhandled.
    this.queue.on('error', () => undefined);
  }

  async publish(event: PublishedEvent): Promise<void> {
    try {
      await this.queue.add(event.type, toJob(event), {
        jobId: event.id,
        attempts: this.settings.attempts,
        backoff: { type: 'exponential', delay: this.settings.backoffMs },
        removeOnComplete: { age: this.settings.completedAgeSeconds, count: this.settings.keepCompleted },
        removeOnFail: { age: this.settings.failedAgeSeconds },
      });
    } catch (error) {
      throw new DependencyUnavailableError('redis', { cause: error });
    }
  }

  /** Counts by state (operations, tests). */
  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  }

  /** The failed jobs, with their reasons and attempts. */
  async failed(): Promise<{ id: string; reason: string; attempts: number }[]> {
    const jobs = await this.queue.getFailed();
    return jobs.map((j) => ({ id: String(j.id), reason: j.failedReason, attempts: j.attemptsMade }));
  }

  /** One event's job while BullMQ keeps it (operations, tests): its state and how often a worker started it. */
  async job(eventId: string): Promise<{ state: string; attemptsStarted: number; attemptsMade: number } | null> {
    const job = await this.queue.getJob(eventId);
    if (!job) return null;
    return { state: await job.getState(), attemptsStarted: job.attemptsStarted, attemptsMade: job.attemptsMade };
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.redis.close();
  }
}

export interface BullmqConsumerOptions {
  readonly concurrency: number;
  /** A job whose worker stops renewing its lock for this long is stalled and run again elsewhere. */
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly onError: (error: Error) => void;
}

/**
 * Consumes the events queue: runs `handle` for each job. A job that throws is retried with
 * backoff, then kept as failed; a worker that dies mid-job loses its lock and the job is moved
 * back to waiting by any other worker's stalled check.
 */
export class BullmqEventConsumer {
  private readonly worker: Worker<EventJobData>;
  private readonly redis: ReturnType<typeof nodeRedis>;

  constructor(settings: BullmqEventSettings, handle: (event: PublishedEvent) => Promise<void>, options: BullmqConsumerOptions) {
    this.redis = nodeRedis(settings.redisUrl);
    this.worker = new Worker<EventJobData>(settings.queueName, (job: Job<EventJobData>) => handle(fromJob(job.data)), {
      connection: this.redis.connection,
      prefix: settings.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: 2,
      autorun: false,
    });
    this.worker.on('error', options.onError);
  }

  start(): void {
    void this.worker.run();
  }

  waitUntilReady(): Promise<unknown> {
    return this.worker.waitUntilReady();
  }

  /** Stops taking jobs and waits for the active ones to finish (graceful); `force` abandons them. */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
    await this.redis.close();
  }
}
