import { IcalGeneratorCalendarRenderer } from '../../adapters/ical-generator/ical-generator-calendar-renderer.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { scheduleRoutes } from '../../adapters/http/routes/schedules.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { ExportCalendar } from '../../core/scheduling/use-cases/export-calendar.js';
import { namedActors, routesApp } from '../support/routes-app.js';
import { anActor, schedulingHarness } from '../core/scheduling/scheduling-harness.js';

export type Who = 'giver' | 'giver2' | 'taker' | 'taker2' | 'admin';

/**
 * The schedules routes behind the real Express app on memory adapters, a manual clock at
 * 2031-01-15T09:00Z. Bearer tokens are plain names mapped to actors.
 */
export const schedulesApp = async () => {
  const h = schedulingHarness();
  const actors = new Map<string, Actor>([
    ['giver', await h.aGiver()],
    ['giver2', await h.aGiver()],
    ['taker', anActor({ role: 'taker' })],
    ['taker2', anActor({ role: 'taker' })],
    ['admin', anActor({ role: 'giver', isAdmin: true })],
  ]);
  const routes = scheduleRoutes(
    { ...h, calendar: new ExportCalendar(h.schedules, new IcalGeneratorCalendarRenderer(), h.clock) },
    { store: new MemoryIdempotencyStore(), clock: h.clock },
  );
  const app = routesApp(routes, { authenticate: namedActors(actors) });
  return { app, h, actor: (name: Who) => actors.get(name)! };
};
