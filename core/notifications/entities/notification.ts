/** Something one person is told, made from a domain event by a NotificationRule. */
export interface Notification {
  /** UUID v7; a recipient's notifications are in commit order by id (see NotificationRepository.insertAll). */
  readonly id: string;
  readonly recipientId: string;
  /** The event it was made from: one notification per (event, recipient). */
  readonly eventId: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly readAt: Date | null;
}

/** A notification to store; the repository gives it its id. */
export type NewNotification = Omit<Notification, 'id' | 'readAt'>;

/**
 * An id that sorts after `latest`: `candidate` when it already does, else `latest` plus one in its
 * random bits (version and variant kept). Keeps a recipient's ids increasing in commit order even
 * when another process's clock is a little behind.
 */
export const idAfter = (candidate: string, latest: string | null): string => {
  if (latest === null || candidate.toLowerCase() > latest.toLowerCase()) return candidate;
  const hex = latest.toLowerCase().replace(/-/g, '');
  // rand_b: the low 62 bits (the two bits above them are the variant).
  const low = (BigInt(`0x${hex.slice(16)}`) & ((1n << 62n) - 1n)) + 1n;
  if (low >= 1n << 62n) throw new Error('no UUID v7 follows this one in the same millisecond and counter');
  const next = hex.slice(0, 16) + ((2n << 62n) | low).toString(16).padStart(16, '0');
  return `${next.slice(0, 8)}-${next.slice(8, 12)}-${next.slice(12, 16)}-${next.slice(16, 20)}-${next.slice(20)}`;
};
