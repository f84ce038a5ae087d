import type { EventHandler, PublishedEvent } from '../ports/event-handler.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Logger } from '../ports/logger.js';

/** Runs `work` with the originating request id visible to the logger (AsyncLocalStorage in composition). */
export type RequestScope = <T>(requestId: string | null, work: () => Promise<T>) => Promise<T>;

export const noRequestScope: RequestScope = (_requestId, work) => work();

export class HandlersFailedError extends Error {
  override readonly name = 'HandlersFailedError';
  constructor(
    readonly eventId: string,
    readonly failures: readonly { readonly handler: string; readonly error: unknown }[],
  ) {
    super(
      `event ${eventId}: ${failures
        .map((f) => `${f.handler} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
        .join('; ')}`,
    );
  }
}

export const handles = (handler: EventHandler, type: string): boolean =>
  handler.eventTypes === '*' || handler.eventTypes.includes(type);

/**
 * Hands one event to every handler that wants it, each in turn, inside the event's request scope.
 * A failing handler does not stop the others; when any failed, it rejects with all the failures
 * so the transport retries the event (the handlers that succeeded see it again and, being
 * idempotent by event id, do nothing). Used by the in-process transport as its publisher and by
 * queue consumers (the BullMQ worker).
 */
export class DispatchEvent implements EventPublisher {
  constructor(
    private readonly handlers: () => readonly EventHandler[],
    private readonly logger: Logger,
    private readonly scope: RequestScope = noRequestScope,
  ) {}

  publish(event: PublishedEvent): Promise<void> {
    return this.execute(event);
  }

  execute(event: PublishedEvent): Promise<void> {
    return this.scope(event.requestId, async () => {
      const failures: { handler: string; error: unknown }[] = [];
      for (const handler of this.handlers()) {
        if (!handles(handler, event.type)) continue;
        try {
          await handler.handle(event);
          this.logger.debug(`${handler.name} handled ${event.type}`, { eventId: event.id });
        } catch (error) {
          this.logger.warn(`${handler.name} failed on ${event.type}`, { eventId: event.id, error });
          failures.push({ handler: handler.name, error });
        }
      }
      if (failures.length > 0) throw new HandlersFailedError(event.id, failures);
    });
  }
}
