import { AsyncLocalStorage } from 'node:async_hooks';

/** The id of the request being served, visible to every log line written while serving it. */
const storage = new AsyncLocalStorage<{ readonly requestId: string }>();

export const runWithRequestId = (requestId: string, next: () => void): void => storage.run({ requestId }, next);

export const currentRequestId = (): string | null => storage.getStore()?.requestId ?? null;
