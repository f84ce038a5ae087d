/** What one round found: more work waiting (run again now) or none (wait for a wake). */
export type RoundResult = 'more' | 'done';

/**
 * Runs `round` whenever it is woken (a commit or an enqueue in this process, a NOTIFY from
 * another, the poll), in up to `concurrency` slots. A slot runs rounds while they find more work,
 * and once more when a wake arrived while every slot was busy, so no wake is lost. A failing round
 * (the database down) is reported and left to the next wake or poll: the work stays where it is.
 * The outbox relay and the job runner are both this loop.
 */
export class WakeLoop {
  private readonly slots = new Set<Promise<void>>();
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly round: () => Promise<RoundResult>,
    private readonly onError: (error: unknown) => void,
    private readonly pollMs: number,
    private readonly concurrency = 1,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  wake = (): void => {
    if (this.stopped) return;
    if (this.slots.size >= this.concurrency) {
      this.again = true;
      return;
    }
    const slot: Promise<void> = this.drain().finally(() => this.slots.delete(slot));
    this.slots.add(slot);
  };

  private async drain(): Promise<void> {
    while (!this.stopped) {
      this.again = false;
      let result: RoundResult;
      try {
        result = await this.round();
      } catch (error) {
        this.onError(error);
        return;
      }
      if (result === 'more') {
        // Let another slot help; with every slot busy this only marks that work is waiting.
        this.wake();
        continue;
      }
      if (!this.again) return;
    }
  }

  /** Resolves when no round is running (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.slots.size > 0) await Promise.all([...this.slots]);
  }

  /** Stops waking and waits for the rounds in progress (their handlers or jobs finish). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }
}
