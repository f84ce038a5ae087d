// Breaks adapters-shared-imports-only-core: adapters/shared must not lean on a particular adapter.
import { fromOtherAdapter } from '../b/y.js';

export const shared = (): string => fromOtherAdapter();
