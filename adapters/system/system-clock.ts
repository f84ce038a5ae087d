import type { Clock } from '../../core/shared/clock.js';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
