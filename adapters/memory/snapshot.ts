/** A memory store that can be put back as it was: the memory unit of work's rollback. */
export interface Snapshottable {
  /** Captures the current state; calling the returned function restores it. */
  snapshot(): () => void;
}

/** Snapshot of a Map of immutable values (entities are readonly, so a shallow copy suffices). */
export const snapshotMap = <K, V>(map: Map<K, V>): (() => void) => {
  const copy = new Map(map);
  return () => {
    map.clear();
    for (const [k, v] of copy) map.set(k, v);
  };
};
