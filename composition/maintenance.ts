import type { Clock } from '../core/shared/clock.js';
import type { Logger } from '../core/shared/logger.js';

/**
 * Housekeeping that keeps tables and directories from growing forever: expired sessions and
 * idempotency keys, uploads abandoned by a crash. Modules register tasks for the adapters they
 * chose; the server runs them periodically, `npm run cli -- maintenance` runs them once.
 */
export interface MaintenanceTask {
  readonly name: string;
  /** Returns how many items it removed, when it knows. */
  run(now: Date): Promise<number | void>;
}

/** Runs every task once; a failing task is logged and does not stop the others. Returns the failures. */
export const runMaintenance = async (tasks: readonly MaintenanceTask[], clock: Clock, logger: Logger): Promise<number> => {
  const log = logger.child('maintenance');
  let failures = 0;
  for (const task of tasks) {
    try {
      const removed = await task.run(clock.now());
      if (typeof removed === 'number' && removed > 0) log.info(`${task.name}: removed ${removed}`);
    } catch (error) {
      failures += 1;
      log.warn(`${task.name} failed`, { error });
    }
  }
  return failures;
};

export interface MaintenanceSchedule {
  readonly firstRunAfterMs: number;
  readonly everyMs: number;
}

export const DEFAULT_SCHEDULE: MaintenanceSchedule = { firstRunAfterMs: 60_000, everyMs: 60 * 60_000 };

/** Runs the tasks after a short delay and then periodically, never overlapping; returns a stop function. */
export const scheduleMaintenance = (
  tasks: readonly MaintenanceTask[],
  clock: Clock,
  logger: Logger,
  schedule: MaintenanceSchedule = DEFAULT_SCHEDULE,
): (() => Promise<void>) => {
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = (delay: number) => {
    timer = setTimeout(() => {
      running = runMaintenance(tasks, clock, logger).finally(() => {
        if (!stopped) tick(schedule.everyMs);
      });
    }, delay);
    // Housekeeping never keeps the process alive on its own.
    timer.unref();
  };
  if (tasks.length > 0) tick(schedule.firstRunAfterMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
};
