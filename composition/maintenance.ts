import type { Clock } from '../core/shared/ports/clock.js';
import type { Logger } from '../core/shared/ports/logger.js';

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

/** What one run did: per task, how many items it removed (null when the task does not count), or that it failed. */
export interface MaintenanceReport {
  readonly tasks: readonly { readonly name: string; readonly removed: number | null; readonly failed: boolean }[];
  readonly failures: number;
}

/** Runs every task once; a failing task is logged and does not stop the others. */
export const runMaintenanceReport = async (tasks: readonly MaintenanceTask[], clock: Clock, logger: Logger): Promise<MaintenanceReport> => {
  const log = logger.child('maintenance');
  const results: { name: string; removed: number | null; failed: boolean }[] = [];
  for (const task of tasks) {
    try {
      const removed = await task.run(clock.now());
      if (typeof removed === 'number' && removed > 0) log.info(`${task.name}: removed ${removed}`);
      results.push({ name: task.name, removed: typeof removed === 'number' ? removed : null, failed: false });
    } catch (error) {
      results.push({ name: task.name, removed: null, failed: true });
      log.warn(`${task.name} failed`, { error });
    }
  }
  return { tasks: results, failures: results.filter((r) => r.failed).length };
};

/** Runs every task once (see runMaintenanceReport); returns the number of failed tasks. */
export const runMaintenance = async (tasks: readonly MaintenanceTask[], clock: Clock, logger: Logger): Promise<number> =>
  (await runMaintenanceReport(tasks, clock, logger)).failures;

/** One line for an operator: `maintenance: removed 3 (expired sessions 0, ...); 0 failed`, also when nothing was removed. */
export const summarizeMaintenance = (report: MaintenanceReport): string => {
  const total = report.tasks.reduce((sum, t) => sum + (t.removed ?? 0), 0);
  const parts = report.tasks.map((t) => `${t.name} ${t.failed ? 'FAILED' : (t.removed ?? 'done')}`);
  return `maintenance: removed ${total} (${parts.length > 0 ? parts.join(', ') : 'no tasks for this configuration'}); ${report.failures} failed`;
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
