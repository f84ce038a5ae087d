import type { Actor } from '../../shared/entities/actor.js';
import type { Schedule } from './schedule.js';

/**
 * An `available` slot is an open offer: every signed-in user may see it (takers browse them to
 * book). Any other schedule is seen by its giver, its taker and admins only; for everyone else it
 * does not exist (NotFound, never Forbidden).
 */
export const canSee = (actor: Actor, s: Schedule | null): s is Schedule =>
  s !== null && (s.status === 'available' || actor.isAdmin || s.giverId === actor.userId || s.takerId === actor.userId);
