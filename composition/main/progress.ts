import cliProgress from 'cli-progress';

/**
 * How a long CLI command reports its steps: a cli-progress bar on a terminal, one plain line per
 * step anywhere else (a log file, CI, a pipe), where a redrawn bar would be noise.
 */
export interface Progress {
  start(total: number): void;
  /** One step done, described for the operator, e.g. `account demo_giver`. */
  step(done: string): void;
  stop(): void;
}

type Output = NodeJS.WritableStream & { isTTY?: boolean };

const bar = (stream: Output): Progress => {
  const progress = new cliProgress.SingleBar(
    { stream, format: 'Seeding [{bar}] {value}/{total} {step}', barsize: 24, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total) => progress.start(total, 0, { step: '' }),
    step: (done) => progress.increment(1, { step: done }),
    stop: () => progress.stop(),
  };
};

const lines = (stream: Output): Progress => {
  let total = 0;
  let done = 0;
  return {
    start: (steps) => {
      total = steps;
      done = 0;
    },
    step: (what) => {
      done += 1;
      stream.write(`[${done}/${total}] ${what}\n`);
    },
    stop: () => undefined,
  };
};

export const progressOn = (stream: Output): Progress => (stream.isTTY ? bar(stream) : lines(stream));
