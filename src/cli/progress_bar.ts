// A terminal progress bar with rate and ETA: redrawn in place on a TTY, one line every few
// seconds otherwise (CI logs), always on stderr so stdout stays machine-readable.

export class ProgressBar {
  #start = performance.now();
  #lastLine = 0;
  #tty = Deno.stderr.isTerminal();
  #enc = new TextEncoder();

  constructor(readonly label: string, readonly total: number, readonly width = 24) {}

  update(done: number, note = "") {
    const now = performance.now();
    const finished = done >= this.total;
    if (!this.#tty && !finished && now - this.#lastLine < 5000 && done !== 1) return;
    this.#lastLine = now;
    const el = (now - this.#start) / 1000;
    const frac = this.total ? Math.min(1, done / this.total) : 1;
    const eta = done > 0 ? (el / done) * (this.total - done) : NaN;
    const filled = Math.round(frac * this.width);
    const bar = "█".repeat(filled) + "░".repeat(this.width - filled);
    const line = `${this.label} ${bar} ${done}/${this.total} ${fmt(el)} elapsed, ETA ${
      Number.isFinite(eta) ? fmt(eta) : "?"
    } ${note}`;
    Deno.stderr.writeSync(
      this.#enc.encode(this.#tty ? `\r\x1b[2K${line}${finished ? "\n" : ""}` : `${line}\n`),
    );
  }
}

function fmt(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${Math.round(s % 60).toString().padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, "0")}m`;
}
