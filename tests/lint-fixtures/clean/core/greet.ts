import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';

export class Greet {
  constructor(private readonly clock: Clock) {}

  execute(name: string): string {
    return `${randomUUID()} ${name} ${this.clock.now().toISOString()}`;
  }
}
