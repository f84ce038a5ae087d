import type { DomainEvent } from '../../shared/entities/events.js';
import type { NotificationDraft, NotificationRule } from '../../notifications/ports/notification-rule.js';

const draft = (recipientId: string, kind: string, title: string, body: string, data: Record<string, unknown> = {}): NotificationDraft => ({
  recipientId,
  kind,
  title,
  body,
  data,
});

const changedOf = (event: DomainEvent): readonly string[] => {
  const changed = event.data['changed'];
  return Array.isArray(changed) ? changed.filter((c): c is string => typeof c === 'string') : [];
};

/**
 * Tells people about changes to their own account that they would want to know of, above all
 * when someone else may have made them: a new password, a new email address, the account being
 * disabled or enabled, admin rights granted or taken, a stolen refresh token detected, a sign-in
 * from a device (user agent) none of their active sessions uses.
 */
export class AccountNotificationRule implements NotificationRule {
  readonly eventTypes = ['password.changed', 'user.updated', 'session.reuse_detected', 'session.started'] as const;

  draft(event: DomainEvent): readonly NotificationDraft[] {
    const user = event.subjectId;
    if (user === null) return [];
    switch (event.type) {
      case 'password.changed':
        return [
          draft(user, 'account.password_changed', 'Your password was changed', 'Your password was changed and your other sessions were signed out. If this was not you, reset your password and contact an administrator.'),
        ];
      case 'session.reuse_detected':
        return [
          draft(
            user,
            'account.session_revoked',
            'A session was signed out for your safety',
            'A sign-in token of yours was used twice, which means someone else may have a copy of it; that session was ended. Sign in again, and change your password if this keeps happening.',
            typeof event.data['session_id'] === 'string' ? { session_id: event.data['session_id'] } : {},
          ),
        ];
      case 'user.updated':
        return this.accountChanges(event, user);
      case 'session.started':
        return event.data['known_device'] === true ? [] : [this.newSignIn(event, user)];
      default:
        return [];
    }
  }

  private newSignIn(event: DomainEvent, user: string): NotificationDraft {
    const text = (key: string): string | null => (typeof event.data[key] === 'string' ? (event.data[key] as string) : null);
    const device = text('user_agent');
    const ip = text('ip');
    const from = [device ? `on ${device.slice(0, 200)}` : 'on an unknown device', ip ? `from ${ip}` : null].filter(Boolean).join(' ');
    return draft(user, 'account.new_sign_in', 'New sign-in to your account', `Your account was signed in to ${from}. If this was not you, change your password and sign out everywhere.`, {
      session_id: text('session_id'),
      user_agent: device,
      ip,
    });
  }

  private accountChanges(event: DomainEvent, user: string): NotificationDraft[] {
    const changed = changedOf(event);
    const byAdmin = event.actorId !== null && event.actorId !== user;
    const who = byAdmin ? ' by an administrator' : '';
    const out: NotificationDraft[] = [];
    if (changed.includes('email')) {
      out.push(draft(user, 'account.email_changed', 'Your email address was changed', `The email address of your account was changed${who}. If this was not you, contact an administrator.`));
    }
    if (changed.includes('is_active')) {
      const active = event.data['is_active'] === true;
      out.push(
        active
          ? draft(user, 'account.enabled', 'Your account was enabled', `Your account was enabled${who}; you can sign in again.`)
          : draft(user, 'account.disabled', 'Your account was disabled', `Your account was disabled${who} and every session was signed out.`),
      );
    }
    if (changed.includes('is_superuser')) {
      const admin = event.data['is_superuser'] === true;
      out.push(
        draft(user, admin ? 'account.admin_granted' : 'account.admin_revoked', admin ? 'You are now an administrator' : 'You are no longer an administrator', `Administrator rights were ${admin ? 'granted to' : 'taken from'} your account${who}.`),
      );
    }
    // One notification per event and person: several changes at once become one message.
    if (out.length <= 1) return out;
    return [draft(user, 'account.changed', 'Your account was changed', out.map((d) => d.body).join(' '), { kinds: out.map((d) => d.kind) })];
  }
}
