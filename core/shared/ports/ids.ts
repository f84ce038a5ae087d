/** Generates UUID v7 identifiers (time-ordered, so they index well). */
export interface IdGenerator {
  next(): string;
}
