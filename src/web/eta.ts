// Progress and time left for a job that reports "done of total" steps: the rate is measured from
// the first report on (the time before it is preprocessing, not steps), and the text is short
// enough for a queue row ("12 of 70 slices · 0:41 left").

/** Seconds as m:ss (h:mm:ss past an hour). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}

export class Eta {
  #first: { t: number; done: number } | null = null;
  #last: { t: number; done: number } | null = null;

  /** Records a report at time `t` (ms). */
  update(done: number, t: number): void {
    if (this.#first === null) this.#first = { t, done };
    this.#last = { t, done };
  }

  /** Seconds left for `total` steps, or null before two reports. */
  secondsLeft(total: number): number | null {
    const a = this.#first, b = this.#last;
    if (!a || !b || b.done <= a.done || b.t <= a.t) return null;
    const rate = (b.done - a.done) / (b.t - a.t); // steps per ms
    return (total - b.done) / rate / 1000;
  }

  /** "12 of 70 slices · 0:41 left" (no time before it can be estimated). */
  text(done: number, total: number, unit: string): string {
    const left = this.secondsLeft(total);
    return `${done} of ${total} ${unit}` + (left === null ? "" : ` · ${clock(left)} left`);
  }
}
