// Breaks adapters-do-not-import-each-other: adapter a uses adapter b.
import { fromOtherAdapter } from '../b/y.js';

export const fromAdapter = (): string => fromOtherAdapter();
