import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { findByEntityId } from '../../shared/entities/entity-id.js';
import type { TokenStore } from '../ports/token-store.js';

/** Ends one of the caller's own sessions (a lost phone, say); other users' sessions do not exist for them. */
export class RevokeSession {
  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, sessionId: string): Promise<E.Either<DomainError, void>> {
    const now = this.clock.now();
    const session = await findByEntityId(sessionId, (id) => this.store.findActive(id, now));
    if (session === null || session.userId !== actor.userId) return E.left(notFound('Session not found'));
    await this.store.revokeSession(session.id, now);
    return E.right(undefined);
  }
}
