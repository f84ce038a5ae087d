/**
 * Rows kept in memory for a database this process is the only writer of (the embedded engine: its
 * data directory is locked to one process, and every statement goes through this process's
 * driver). The driver's write generation (`PgliteSession.writeGeneration`) changes whenever any
 * statement that may have changed data completes, before the code that ran it sees the result;
 * when it has changed, every entry is dropped. A value read from the database is kept only when
 * the generation did not move while it was read, so a read that raced a write is never kept.
 * Hence an entry is always what the database holds now: no time-to-live, no staleness.
 *
 * Not for a server database: other processes write there without this process knowing.
 */
export class SingleWriterCache<V> {
  private readonly entries = new Map<string, V>();
  private generation: number;

  constructor(
    private readonly writeGeneration: () => number,
    private readonly maxEntries = 10_000,
  ) {
    this.generation = writeGeneration();
  }

  /** The kept value for `key`, or `load()`'s, kept when no write ran while it was read. */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    this.dropIfWritten();
    if (this.entries.has(key)) return this.entries.get(key)!;
    const before = this.writeGeneration();
    const value = await load();
    this.dropIfWritten();
    if (this.generation === before) {
      // Oldest first out: a Map iterates in insertion order.
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, value);
    }
    return value;
  }

  get size(): number {
    this.dropIfWritten();
    return this.entries.size;
  }

  private dropIfWritten(): void {
    const now = this.writeGeneration();
    if (now === this.generation) return;
    this.entries.clear();
    this.generation = now;
  }
}
