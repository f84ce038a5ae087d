/**
 * Structured logging as the core needs it. The winston adapter adds the time, the request id of
 * the request being served, and redacts secrets.
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines name `module` (e.g. `identity.login`). */
  child(module: string): Logger;
}
