/**
 * The one progress reporter for long work (training, preprocessing, the demo cohort): done/total,
 * elapsed time and an ETA from the mean step time, on stderr so stdout stays machine-readable.
 * On a terminal it redraws one bar in place; otherwise (CI logs, pipes) it prints plain lines —
 * the first, then at most one every `interval` ms, and the last. `quiet` silences it.
 * @module
 */

export interface ProgressOptions {
  quiet?: boolean;
  /** Bar width in characters (terminal only). */
  width?: number;
  /** Minimum milliseconds between plain lines when not on a terminal (default 5000). */
  interval?: number;
  /** Redraw in place (default: whether stderr is a terminal). */
  tty?: boolean;
  /** Where lines go (default stderr). */
  write?: (text: string) => void;
}

export class ProgressBar {
  #start = performance.now();
  #lastLine = -Infinity;
  #tty: boolean;
  #width: number;
  #interval: number;
  #quiet: boolean;
  #write: (text: string) => void;

  constructor(readonly label: string, readonly total: number, o: ProgressOptions = {}) {
    this.#quiet = o.quiet ?? false;
    this.#tty = o.tty ?? (!this.#quiet && Deno.stderr.isTerminal());
    this.#width = o.width ?? 24;
    this.#interval = o.interval ?? 5000;
    const enc = new TextEncoder();
    this.#write = o.write ?? ((t) => Deno.stderr.writeSync(enc.encode(t)));
  }

  /** Reports `done` of `total` steps, with an optional note (e.g. the current loss). */
  update(done: number, note = ""): void {
    if (this.#quiet) return;
    const now = performance.now();
    const finished = done >= this.total;
    if (!this.#tty && !finished && now - this.#lastLine < this.#interval) return;
    this.#lastLine = now;
    const line = this.format(done, (now - this.#start) / 1000, note);
    this.#write(this.#tty ? `\r\x1b[2K${line}${finished ? "\n" : ""}` : `${line}\n`);
  }

  /** The line for `done` steps after `elapsed` seconds (no bar when not on a terminal). */
  format(done: number, elapsed: number, note = ""): string {
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(frac * this.#width);
    const bar = this.#tty ? " " + "█".repeat(filled) + "░".repeat(this.#width - filled) : "";
    return `${this.label}${bar} ${done}/${this.total} ${formatSeconds(elapsed)} elapsed, ETA ${
      Number.isFinite(eta) ? formatSeconds(eta) : "?"
    }${note ? ` ${note}` : ""}`;
  }
}

/** 12.3s, 4m05s, 2h07m. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${Math.round(s % 60).toString().padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, "0")}m`;
}
