/** "The recipient has a new notification": a hint to read it from the repository, not the notification itself. */
export interface NotificationSignal {
  readonly recipientId: string;
  readonly notificationId: string;
}

export interface NotificationListener {
  readonly notified: (signal: NotificationSignal) => void;
  /** Signals may have been lost (the bus lost its connection and is back): read whatever is unsent. */
  readonly resync: () => void;
}

/**
 * Carries NotificationRepository.insertAll's announcements to every process that holds streams.
 * At most once and unordered: a listener re-reads the repository, which is the source of truth.
 */
export interface NotificationBus {
  subscribe(listener: NotificationListener): () => void;
}
