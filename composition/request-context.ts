import { AsyncLocalStorage } from 'node:async_hooks';

/** The id of the request being served, visible to every log line written while serving it. */
const storage = new AsyncLocalStorage<{ readonly requestId: string }>();

export const runWithRequestId = (requestId: string, next: () => void): void => storage.run({ requestId }, next);

export const currentRequestId = (): string | null => storage.getStore()?.requestId ?? null;

/**
 * Runs `work` as part of the request `requestId` (null: outside any request), so a worker's log
 * lines for an event or a job carry the id of the request that caused it.
 */
export const withRequestId = <T>(requestId: string | null, work: () => Promise<T>): Promise<T> =>
  requestId === null ? work() : storage.run({ requestId }, work);
