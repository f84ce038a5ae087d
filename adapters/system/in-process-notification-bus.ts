import type { NotificationBus, NotificationListener, NotificationSignal } from '../../core/notifications/ports/notification-bus.js';

/**
 * The bus of a deployment that runs as one process (embedded and memory profiles): the
 * repository announces its commits straight to the streams this process holds.
 */
export class InProcessNotificationBus implements NotificationBus {
  private readonly listeners = new Set<NotificationListener>();

  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells every subscriber; a listener that throws does not keep the others from hearing. */
  readonly announce = (signals: readonly NotificationSignal[]): void => {
    for (const listener of [...this.listeners]) {
      for (const signal of signals) {
        try {
          listener.notified(signal);
        } catch {
          // A listener's failure is its own (a stream that just closed); the others still hear.
        }
      }
    }
  };

  get subscribers(): number {
    return this.listeners.size;
  }
}
