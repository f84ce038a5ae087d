import type { RequestHandler, Response } from 'express';
import { sendError } from './envelope.js';

/**
 * Graceful shutdown on the HTTP side: counts the requests in flight and, once draining, answers
 * new requests (arriving on kept-alive connections) 503 with `Connection: close`, and asks every
 * in-flight response to close its connection, so keep-alive connections end as their last
 * response does instead of holding the server open.
 */
export interface Drain {
  /** First in the middleware chain. */
  readonly middleware: RequestHandler;
  /** Start draining (idempotent). */
  start(): void;
  readonly draining: boolean;
  /** Requests accepted and not yet answered (or abandoned by their client). */
  inFlight(): number;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
}

export const createDrain = (retryAfterSeconds: number): Drain => {
  const active = new Set<Response>();
  let draining = false;
  const waiters: (() => void)[] = [];
  const settle = () => {
    if (active.size > 0) return;
    for (const wake of waiters.splice(0)) wake();
  };
  const closeAfter = (res: Response) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  return {
    middleware: (_req, res, next) => {
      if (draining) {
        res.setHeader('Connection', 'close');
        res.setHeader('Retry-After', String(retryAfterSeconds));
        sendError(res, { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down; retry shortly' });
        return;
      }
      active.add(res);
      // 'close' fires once the response is sent and also when the client goes away first.
      res.once('close', () => {
        active.delete(res);
        settle();
      });
      next();
    },
    start() {
      if (draining) return;
      draining = true;
      for (const res of active) closeAfter(res);
    },
    get draining() {
      return draining;
    },
    inFlight: () => active.size,
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
  };
};
