import cliProgress from 'cli-progress';

/**
 * Progress of a long command, step by step (a table, the objects): a bar (cli-progress) when the
 * output is a terminal, plain lines otherwise (logs, CI), at most one a second per step plus one
 * when each step ends, so a million objects do not become a million lines.
 */
export interface Progress {
  /** A new step of `total` units (rows, objects). */
  start(label: string, total: number, unit: string): void;
  /** `done` units of the current step are finished. */
  update(done: number): void;
  /** The current step is finished. */
  stop(): void;
  /** A line of its own (a warning, a note). */
  line(text: string): void;
}

export const silentProgress: Progress = { start() {}, update() {}, stop() {}, line() {} };

const lineProgress = (write: (line: string) => void): Progress => {
  let label = '';
  let unit = '';
  let total = 0;
  let done = 0;
  let lastAt = 0;
  let active = false;
  const say = () => write(`  ${label}: ${done}/${total} ${unit}`);
  return {
    start(l, t, u) {
      [label, total, unit, done, lastAt, active] = [l, t, u, 0, Date.now(), true];
    },
    update(d) {
      done = d;
      if (Date.now() - lastAt >= 1000) {
        lastAt = Date.now();
        say();
      }
    },
    stop() {
      if (active) say();
      active = false;
    },
    line: write,
  };
};

const barProgress = (stream: NodeJS.WriteStream): Progress => {
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(label, total, unit) {
      bar = new cliProgress.SingleBar(
        { format: `  ${label.padEnd(22)} [{bar}] {value}/{total} ${unit}`, stream, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
    line(text) {
      stream.write(`${text}\n`);
    },
  };
};

/** Bars on a terminal, lines otherwise; everything goes to stderr so stdout keeps the summary. */
export const consoleProgress = (stream: NodeJS.WriteStream = process.stderr): Progress =>
  stream.isTTY ? barProgress(stream) : lineProgress((line) => stream.write(`${line}\n`));
