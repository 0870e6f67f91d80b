// The per-step loss terms between two log lines, kept on the GPU in one preallocated
// [rows, columns] table: each step copies its scalar terms into its row (buffer-to-buffer, no
// kernel) and frees them at once, and the log line reads the whole table back in one round
// trip, naming the first step and term that is NaN/Inf. Holding the steps' own scalar tensors
// until the log line instead (as the trainer did) kept a few more small buffers out of the pool
// every step, so the steps between two log lines got different buffers and missed dispatch.ts's
// bind-group cache.

import { copyBuffer } from "../core/dispatch.ts";
import { untrack } from "../core/scope.ts";
import { Tensor } from "../core/tensor.ts";
import { UserError } from "../core/errors.ts";

/** An uninitialised [rows, cols] table owned by the TermLog (outside any tidy scope). */
function table(rows: number, cols: number): Tensor {
  const t = Tensor.empty([rows, cols]);
  untrack(t);
  return t;
}

export class TermLog {
  #table: Tensor;
  #rows: number;
  #cols: number;
  #columns = new Map<string, number>();
  /** Host record of what each written cell holds. */
  #cells: { step: number; key: string; at: number }[] = [];
  #row = 0;

  constructor(rows: number, columns = 32) {
    this.#rows = Math.max(1, rows);
    this.#cols = columns;
    this.#table = table(this.#rows, this.#cols);
  }

  /** Steps recorded since the last drain. */
  get pending(): number {
    return this.#row;
  }

  /** Copies step `step`'s scalar terms into the next row and disposes them. */
  record(step: number, terms: Record<string, Tensor>) {
    const entries = Object.entries(terms);
    for (const [k] of entries) {
      if (!this.#columns.has(k)) this.#columns.set(k, this.#columns.size);
    }
    if (this.#row >= this.#rows || this.#columns.size > this.#cols) {
      this.#grow(
        this.#row >= this.#rows ? 2 * this.#rows : this.#rows,
        Math.max(this.#cols, 2 * this.#columns.size),
      );
    }
    for (const [k, t] of entries) {
      if (t.size !== 1) throw new Error(`neurad: loss term '${k}' is not a scalar`);
      const at = this.#row * this.#cols + this.#columns.get(k)!;
      copyBuffer(t.buffer, 0, this.#table.buffer, at * 4, 4);
      this.#cells.push({ step, key: k, at });
      t.dispose();
    }
    this.#row++;
  }

  /** Means of each term over the recorded steps; throws on the first NaN/Inf, in step order. */
  async drain(): Promise<Record<string, number>> {
    if (this.#row === 0) return {};
    const values = (await Tensor.toArrays([this.#table]))[0];
    const sums: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (const { step, key, at } of this.#cells) {
      const v = values[at];
      if (!Number.isFinite(v)) {
        this.#reset();
        throw new UserError(
          `step ${step}: loss term '${key}' is ${v}; training stopped (the last checkpoint is intact)`,
        );
      }
      sums[key] = (sums[key] ?? 0) + v;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    this.#reset();
    for (const k of Object.keys(sums)) sums[k] /= counts[k];
    return sums;
  }

  dispose() {
    this.#table.dispose();
  }

  #reset() {
    this.#row = 0;
    this.#cells.length = 0;
  }

  /** A larger table (more rows or columns), the recorded cells moved over. */
  #grow(rows: number, cols: number) {
    const next = table(rows, cols);
    for (const c of this.#cells) {
      const r = Math.floor(c.at / this.#cols), col = c.at % this.#cols;
      const at = r * cols + col;
      copyBuffer(this.#table.buffer, c.at * 4, next.buffer, at * 4, 4);
      c.at = at;
    }
    this.#table.dispose();
    [this.#table, this.#rows, this.#cols] = [next, rows, cols];
  }
}
