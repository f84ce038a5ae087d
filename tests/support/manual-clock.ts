import type { Clock } from '../../core/shared/ports/clock.js';

/** A clock tests move by hand: expiry is tested by advancing time, never by sleeping. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2031-01-15T09:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
}
