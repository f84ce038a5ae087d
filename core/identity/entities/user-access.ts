import type { Actor } from '../../shared/entities/actor.js';

/** Self or admin. Anyone else is told the user does not exist, so ids cannot be probed. */
export const mayAccessUser = (actor: Actor, userId: string): boolean => actor.isAdmin || actor.userId === userId;
