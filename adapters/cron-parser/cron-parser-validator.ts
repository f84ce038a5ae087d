import { CronExpressionParser } from 'cron-parser';
import type { CronValidator } from '../../core/records/ports/cron-validator.js';

// cron-parser fills in missing fields ("0 2 * *" parses) and its strict mode rejects the common
// five-field form, so the field count is checked here: 5 fields, 6 with seconds, or an @alias.
const FIELD_COUNTS = new Set([5, 6]);

export class CronParserValidator implements CronValidator {
  problem(expression: string): string | null {
    const trimmed = expression.trim();
    if (trimmed === '') return 'it is empty';
    if (!trimmed.startsWith('@') && !FIELD_COUNTS.has(trimmed.split(/\s+/).length)) {
      return 'expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds';
    }
    try {
      CronExpressionParser.parse(trimmed);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : 'it cannot be parsed';
    }
  }
}
