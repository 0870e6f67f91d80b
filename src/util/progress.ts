/**
 * The one progress reporter for long work (training, preprocessing, the demo cohort): done/total,
 * elapsed time, optionally the rate, and an ETA, on stderr so stdout stays machine-readable. On a
 * terminal it redraws one bar in place; otherwise (CI logs, pipes) it prints plain lines — the
 * first, then at most one every `interval` ms, and the last. The rate and ETA count from the
 * first finished unit when there is one (a first training step that compiles the GPU kernels
 * would otherwise skew them for the whole run). A heartbeat (`keepAlive`) reprints the current
 * state whenever no line went out for `interval` ms; writing to stderr, it runs in a worker
 * thread, so it keeps going while the main thread is blocked (a WebGPU adapter that compiles
 * kernels or runs a step synchronously). `quiet` silences it.
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
  /** Show the rate as `N.NN <unit>/s` (e.g. "steps"); off by default. */
  unit?: string;
  /** Work already done when the bar starts (a resumed run): not counted in the rate or ETA. */
  startAt?: number;
  /** Milliseconds clock (default performance.now; tests inject one). */
  now?: () => number;
}

/** Everything a progress line shows except the time (what the heartbeat worker is sent). */
export interface ProgressView {
  label: string;
  total: number;
  done: number;
  note: string;
  startAt: number;
  unit?: string;
  /** Bar width; 0 = no bar (plain lines). */
  width: number;
  /** Seconds after the start and units done at the first finished unit (the rate's origin). */
  ref?: { t: number; done: number };
}

/** Minimum milliseconds between in-place redraws on a terminal. */
const TTY_REDRAW_MS = 100;

export class ProgressBar {
  #now: () => number;
  #start: number;
  #lastLine = -Infinity;
  #tty: boolean;
  #width: number;
  #interval: number;
  #quiet: boolean;
  #toStderr: boolean;
  #write: (text: string) => void;
  #unit?: string;
  #startAt: number;
  #done: number;
  #note = "";
  #ref?: { t: number; done: number };
  #drawn = false;
  /** The last line drawn showed done = total. */
  #ended = false;
  #timer?: ReturnType<typeof setInterval>;
  #worker?: { worker: Worker; url: string };

  constructor(readonly label: string, readonly total: number, o: ProgressOptions = {}) {
    this.#quiet = o.quiet ?? false;
    this.#tty = o.tty ?? (!this.#quiet && Deno.stderr.isTerminal());
    this.#width = o.width ?? 24;
    this.#interval = o.interval ?? 5000;
    this.#unit = o.unit;
    this.#startAt = o.startAt ?? 0;
    this.#done = this.#startAt;
    this.#now = o.now ?? (() => performance.now());
    this.#start = this.#now();
    const enc = new TextEncoder();
    this.#toStderr = o.write === undefined && o.now === undefined;
    this.#write = o.write ?? ((t) => Deno.stderr.writeSync(enc.encode(t)));
  }

  /** Whether an update now would print (the first, or the throttle interval has passed). */
  get due(): boolean {
    if (this.#quiet) return false;
    const wait = this.#tty ? TTY_REDRAW_MS : this.#interval;
    return this.#now() - this.#lastLine >= wait;
  }

  /**
   * Reports `done` of `total` steps, with an optional note (e.g. the current loss); printed when
   * due, when `force`d, and once at the end.
   */
  update(done: number, note = "", force = false): void {
    if (this.#ref === undefined && done > this.#startAt) {
      this.#ref = { t: (this.#now() - this.#start) / 1000, done };
    }
    const repeat = done === this.#done && note === this.#note;
    this.#done = done;
    this.#note = note;
    if (this.#quiet) return;
    if (done >= this.total ? repeat && this.#ended : !force && !this.due) return;
    this.#draw();
  }

  /**
   * Reprints the last state with the time now when the last line is nearly `interval` ms old
   * (within the heartbeat's period, so the gap between two lines stays under `interval`).
   */
  tick(): void {
    if (this.#quiet || this.#now() - this.#lastLine < 0.9 * this.#interval) return;
    this.#draw();
  }

  /**
   * Ticks every tenth of `interval` until stop(): in a worker thread when the bar writes to
   * stderr, else on a timer (which fires only while the caller awaits).
   */
  keepAlive(): void {
    if (this.#quiet || this.#interval <= 0) return;
    if (this.#timer !== undefined || this.#worker !== undefined) return;
    if (this.#toStderr) {
      try {
        const w = heartbeatWorker(this.#interval);
        // A worker that cannot run here: the timer instead, never an error of the caller's.
        w.worker.onerror = (e) => {
          e.preventDefault();
          if (this.#worker !== w) return;
          this.stop();
          this.#timer = setInterval(() => this.tick(), this.#interval / 10);
        };
        this.#worker = w;
        this.#post();
        return;
      } catch {
        // no workers here: the timer below
      }
    }
    this.#timer = setInterval(() => this.tick(), this.#interval / 10);
  }

  /** Stops the heartbeat. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#worker) {
      this.#worker.worker.terminate();
      URL.revokeObjectURL(this.#worker.url);
    }
    this.#worker = undefined;
  }

  /** Prints a line of its own (on a terminal: over the bar, which is redrawn by the next update). */
  message(text: string): void {
    this.#write(this.#tty && this.#drawn ? `\r\x1b[2K${text}\n` : `${text}\n`);
    this.#drawn = false;
    this.#post();
  }

  /** The line for `done` steps after `elapsed` seconds (no bar when not on a terminal). */
  format(done: number, elapsed: number, note = ""): string {
    return progressLine(this.#view(done, note), elapsed);
  }

  #view(done: number, note: string): ProgressView {
    return {
      label: this.label,
      total: this.total,
      done,
      note,
      startAt: this.#startAt,
      unit: this.#unit,
      width: this.#tty ? this.#width : 0,
      ref: this.#ref,
    };
  }

  #draw() {
    const now = this.#now();
    this.#lastLine = now;
    const finished = this.#done >= this.total;
    const line = this.format(this.#done, (now - this.#start) / 1000, this.#note);
    this.#write(this.#tty ? `\r\x1b[2K${line}${finished ? "\n" : ""}` : `${line}\n`);
    this.#drawn = this.#tty && !finished;
    this.#ended = finished;
    this.#post();
  }

  /** Sends the worker the state to repeat, with wall-clock times (the clocks differ by thread). */
  #post() {
    if (!this.#worker) return;
    const wall = Date.now(), now = this.#now();
    this.#worker.worker.postMessage({
      view: this.#view(this.#done, this.#note),
      start: wall - (now - this.#start),
      lastLine: wall - (now - this.#lastLine),
      tty: this.#tty,
      drawn: this.#drawn,
    });
  }
}

/** One progress line (a pure function of its arguments: the heartbeat worker runs its source). */
export function progressLine(v: ProgressView, elapsed: number): string {
  const run = v.done - v.startAt;
  let rate = run > 0 ? run / elapsed : NaN; // Infinity at 0 s: ETA 0
  if (v.ref && v.done > v.ref.done && elapsed > v.ref.t) {
    rate = (v.done - v.ref.done) / (elapsed - v.ref.t);
  }
  const eta = v.done >= v.total ? 0 : rate > 0 ? (v.total - v.done) / rate : NaN;
  const frac = v.total ? Math.min(1, v.done / v.total) : 1;
  const filled = Math.round(frac * v.width);
  const bar = v.width > 0 ? " " + "█".repeat(filled) + "░".repeat(v.width - filled) : "";
  const speed = v.unit === undefined
    ? ""
    : `, ${Number.isFinite(rate) && rate > 0 ? formatRate(rate) : "?"} ${v.unit}/s`;
  const etaText = Number.isFinite(eta) ? formatSeconds(eta) : "?";
  return `${v.label}${bar} ${v.done}/${v.total} ${formatSeconds(elapsed)} elapsed${speed}, ` +
    `ETA ${etaText}${v.note ? ` ${v.note}` : ""}`;
}

/** 12.3s, 4m05s, 2h07m. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${Math.round(s % 60).toString().padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, "0")}m`;
}

/** 12.3, 1.23, 0.0123: three significant digits, no exponent for rates above 0.001. */
export function formatRate(r: number): string {
  return r >= 100 ? r.toFixed(0) : r >= 0.001 ? r.toPrecision(3) : r.toExponential(2);
}

/**
 * A worker that reprints the last state it was sent, with the time now, whenever no line went
 * out for `interval` ms. Its source is built from the functions above (by name, so it holds in
 * a bundle too), so the worker needs no module file of its own.
 */
function heartbeatWorker(interval: number): { worker: Worker; url: string } {
  const src = `${formatSeconds}\n${formatRate}\n${progressLine}\n
let s = null;
const enc = new TextEncoder();
self.onmessage = (e) => { s = e.data; };
setInterval(() => {
  if (s === null) return;
  const now = Date.now();
  if (now - s.lastLine < ${0.9 * interval}) return;
  s.lastLine = now;
  const line = ${progressLine.name}(s.view, (now - s.start) / 1000);
  Deno.stderr.writeSync(enc.encode(s.tty ? "\\r\\x1b[2K" + line : line + "\\n"));
}, ${interval / 10});\n`;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  try {
    return { worker: new Worker(url, { type: "module" }), url };
  } catch (e) {
    URL.revokeObjectURL(url);
    throw e;
  }
}
