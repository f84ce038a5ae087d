import type { DomainEvent } from '../../shared/entities/events.js';
import type { NotificationDraft, NotificationRule } from '../../notifications/ports/notification-rule.js';

const WORDING: Readonly<Record<string, { readonly title: string; readonly verb: string }>> = {
  'schedule.requested': { title: 'New schedule request', verb: 'requested' },
  'schedule.booked': { title: 'Slot booked', verb: 'booked' },
  'schedule.accepted': { title: 'Request accepted', verb: 'accepted' },
  'schedule.rejected': { title: 'Request rejected', verb: 'rejected' },
  'schedule.cancelled': { title: 'Schedule cancelled', verb: 'cancelled' },
  'schedule.moved': { title: 'Schedule moved', verb: 'moved' },
  'schedule.deleted': { title: 'Request withdrawn', verb: 'deleted' },
};

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Tells the other participant about each change: the giver when a taker requests, books, cancels,
 * moves or withdraws; the taker when the giver accepts, rejects, cancels or moves. When an admin
 * or the system acts, both participants hear of it. Nobody is told of their own action, and a
 * slot nobody has taken yet concerns no one else (`schedule.created` drafts nothing).
 */
export class ScheduleNotificationRule implements NotificationRule {
  readonly eventTypes = Object.keys(WORDING);

  draft(event: DomainEvent): readonly NotificationDraft[] {
    const wording = WORDING[event.type];
    if (wording === undefined) return [];
    const giverId = text(event.data['giver_id']);
    const takerId = text(event.data['taker_id']);
    const startsAt = text(event.data['starts_at']) ?? '';
    const endsAt = text(event.data['ends_at']) ?? '';
    const byRole = text(event.data['by_role']) ?? 'someone';
    const recipients = [giverId, takerId].filter((id): id is string => id !== null && id !== event.actorId);
    const who = byRole === 'system' ? 'Portside' : byRole === 'admin' ? 'An administrator' : `The ${byRole}`;
    const body = `${who} ${wording.verb} the schedule from ${startsAt} to ${endsAt}.`;
    return [...new Set(recipients)].map((recipientId) => ({
      recipientId,
      kind: event.type,
      title: wording.title,
      body,
      data: { schedule_id: event.subjectId, ...event.data },
    }));
  }
}
