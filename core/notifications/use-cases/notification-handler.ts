import type { Clock } from '../../shared/ports/clock.js';
import type { EventHandler, PublishedEvent } from '../../shared/ports/event-handler.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { NewNotification } from '../entities/notification.js';
import type { NotificationRepository } from '../ports/notification-repository.js';
import type { NotificationDraft, NotificationRule } from '../ports/notification-rule.js';

/**
 * Turns committed events into notifications through the rules that want them. A redelivered
 * event makes nothing new: the repository keeps one notification per (event, recipient). When
 * rules draft several for one recipient from one event, the first rule's draft is kept.
 */
export class NotificationHandler implements EventHandler {
  readonly name = 'notifications';
  readonly eventTypes: readonly string[];

  constructor(
    private readonly rules: readonly NotificationRule[],
    private readonly notifications: NotificationRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {
    this.eventTypes = [...new Set(rules.flatMap((r) => r.eventTypes))];
  }

  async handle(event: PublishedEvent): Promise<void> {
    const byRecipient = new Map<string, NotificationDraft>();
    for (const rule of this.rules) {
      if (!rule.eventTypes.includes(event.type)) continue;
      for (const draft of rule.draft(event)) {
        const recipient = draft.recipientId.toLowerCase();
        if (!byRecipient.has(recipient)) byRecipient.set(recipient, draft);
      }
    }
    if (byRecipient.size === 0) return;
    const createdAt = this.clock.now();
    const fresh: NewNotification[] = [...byRecipient].map(([recipientId, d]) => ({
      recipientId,
      eventId: event.id,
      kind: d.kind,
      title: d.title,
      body: d.body,
      data: d.data,
      createdAt,
    }));
    await this.notifications.insertAll(fresh, this.ids);
  }
}
