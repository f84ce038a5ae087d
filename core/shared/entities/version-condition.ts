/**
 * A client's precondition on an aggregate's version (HTTP If-Match, from its ETags): the versions
 * it accepts, or undefined when it set none. A change whose current version is not accepted is
 * refused with `preconditionFailed` (412) before anything is written.
 */
export const versionAccepted = (accepted: readonly number[] | undefined, version: number): boolean =>
  accepted === undefined || accepted.includes(version);
