import { formatCount, formatDuration } from "./format.ts";

/**
 * One progress bar of a {@link ProgressBars} display.
 *
 * @example
 * ```ts
 * const bar: ProgressBar = bars.bar("hub → spoke");
 * bar.update(500, 1000, "apply");
 * ```
 */
export interface ProgressBar {
  /** Sets the bar: `done` of `total` units (users), in `phase`. */
  update(done: number, total: number, phase?: string): void;
  /** Marks the bar finished, with a closing note (`✓ 5,000 created`). */
  finish(note?: string): void;
}

/**
 * Several progress bars redrawn in place on a terminal.
 *
 * @example
 * ```ts
 * const bars: ProgressBars = createProgressBars(process.stderr);
 * bars.log("a note above the bars");
 * bars.stop();
 * ```
 */
export interface ProgressBars {
  bar(label: string): ProgressBar;
  /** Prints a line above the bars (which are redrawn below it). */
  log(text: string): void;
  /** Draws the last state and releases the terminal lines. */
  stop(): void;
}

interface BarState {
  label: string;
  done: number;
  total: number;
  phase: string;
  started: number;
  finished: string | null;
  elapsed: number | null;
}

const WIDTH = 28;

function renderBar(b: BarState, labelWidth: number): string {
  const ratio = b.total > 0 ? Math.min(1, b.done / b.total) : b.finished !== null ? 1 : 0;
  const full = Math.round(ratio * WIDTH);
  const bar = "█".repeat(full) + "░".repeat(WIDTH - full);
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  const count = `${formatCount(b.done)}/${formatCount(b.total)}`.padStart(15);
  const time = formatDuration(b.elapsed ?? Date.now() - b.started).padStart(8);
  const tail = b.finished !== null ? b.finished : b.phase;
  return `${b.label.padEnd(labelWidth)}  ${bar} ${pct} ${count} ${time}  ${tail}`;
}

/**
 * Progress bars on a TTY stream (stderr), redrawn at most ten times a second.
 *
 * @example
 * ```ts
 * const bars = createProgressBars(process.stderr);
 * const bar = bars.bar("hub → spoke 1");
 * bar.update(250, 1000, "apply");
 * bar.finish("✓ done");
 * bars.stop();
 * ```
 */
export function createProgressBars(stream: { write(text: string): unknown; columns?: number }): ProgressBars {
  const bars: BarState[] = [];
  let drawn = 0;
  let dirty = false;
  let stopped = false;
  let lastDraw = 0;
  const draw = () => {
    if (!dirty) return;
    dirty = false;
    lastDraw = Date.now();
    const labelWidth = Math.min(40, Math.max(0, ...bars.map((b) => b.label.length)));
    let out = drawn > 0 ? `\x1b[${drawn}A` : "";
    const columns = stream.columns && stream.columns > 20 ? stream.columns : 120;
    for (const b of bars) out += `\x1b[2K${[...renderBar(b, labelWidth)].slice(0, columns - 1).join("")}\n`;
    drawn = bars.length;
    stream.write(out);
  };
  // Redrawn from updates (at most every 100 ms) and from a timer (for the clock).
  const soon = () => {
    dirty = true;
    if (Date.now() - lastDraw >= 100) draw();
  };
  const timer = setInterval(() => {
    dirty = true;
    draw();
  }, 250);
  timer.unref?.();
  return {
    bar(label) {
      const state: BarState = { label, done: 0, total: 0, phase: "starting", started: Date.now(), finished: null, elapsed: null };
      bars.push(state);
      soon();
      return {
        update(done, total, phase) {
          state.done = done;
          state.total = Math.max(total, done);
          if (phase) state.phase = phase;
          soon();
        },
        finish(note) {
          state.finished = note ?? "done";
          state.elapsed = Date.now() - state.started;
          if (state.total === 0) state.total = state.done;
          soon();
        },
      };
    },
    log(text) {
      if (stopped) {
        stream.write(`${text}\n`);
        return;
      }
      stream.write(`${drawn > 0 ? `\x1b[${drawn}A\x1b[J` : ""}${text}\n`);
      drawn = 0;
      dirty = true;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      dirty = true;
      draw();
    },
  };
}
