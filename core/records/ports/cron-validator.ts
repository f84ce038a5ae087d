/** Checks cron expressions for a record's `config.schedule`; the parser lives in an adapter. */
export interface CronValidator {
  /** null when `expression` is a valid cron expression, else a human-readable reason. */
  problem(expression: string): string | null;
}
