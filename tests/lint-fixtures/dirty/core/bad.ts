// Breaks core-is-framework-free: the core reaches into an adapter.
import { fromAdapter } from '../adapters/a/x.js';

export const inCore = (): string => fromAdapter();
