// The time side of the save interval: `train.saveEveryMinutes` after the last save of
// checkpoints/last (or the start of the run), another is due, whatever the step count, so a run
// on a slow adapter never goes hours without a resumable checkpoint. The clock is injectable.

export class SaveTimer {
  #last: number;

  /** `minutes` ≤ 0 turns it off; `now` is a milliseconds clock (default performance.now). */
  constructor(readonly minutes: number, readonly now: () => number = () => performance.now()) {
    this.#last = now();
  }

  /** Whether the interval has passed since the last save. */
  get due(): boolean {
    return this.minutes > 0 && this.now() - this.#last >= this.minutes * 60_000;
  }

  /** Starts the next interval (call after every save of `last`). */
  saved(): void {
    this.#last = this.now();
  }
}
