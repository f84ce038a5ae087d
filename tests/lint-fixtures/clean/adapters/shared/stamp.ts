import type { Clock } from '../../core/clock.js';

/** Common ground for adapters: imports core only. */
export const stamp = (clock: Clock): string => clock.now().toISOString();
