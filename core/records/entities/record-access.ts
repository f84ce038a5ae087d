import type { Actor } from '../../shared/entities/actor.js';
import type { DataRecord } from './record.js';

/**
 * Owners and admins see a record; for everyone else it does not exist (NotFound, never
 * Forbidden, so that ids cannot be probed).
 */
export const canSee = (actor: Actor, record: DataRecord | null): record is DataRecord =>
  record !== null && record.deletedAt === null && (actor.isAdmin || record.ownerId === actor.userId);
