import { v7 } from 'uuid';
import type { IdGenerator } from '../../core/shared/ports/ids.js';

/** Time-ordered UUID v7: new rows land at the end of primary-key indexes. */
export class UuidV7IdGenerator implements IdGenerator {
  next(): string {
    return v7();
  }
}
