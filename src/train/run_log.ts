// RUN/log.jsonl and the progress bar of a run: the loss terms of each step are kept on the GPU
// (TermLog) and read back once per logging interval as one line of means, with the learning
// rates, the speed and the memory watch; one {step, epoch, valLoss} line per epoch; and, on
// resume, the lines a killed run wrote after its last checkpoint are dropped. The progress bar
// (steps/s, ETA, the last logged losses) shows its first line when the run starts, follows the
// steps the GPU has finished (the trainer waits for the GPU only when a line is due), and a
// heartbeat reprints it while a slow step, a checkpoint or a validation runs.

import { memoryStats } from "../core/memory.ts";
import type { Tensor } from "../core/tensor.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { ProgressBar } from "../util/progress.ts";
import { TermLog } from "./term_log.ts";

/**
 * On resume: drops the log lines a killed run wrote after its last checkpoint (steps past it, and
 * a validation line of the checkpoint's step when the checkpoint preceded that validation).
 */
export async function trimLog(path: string, step: number, batchInEpoch: number) {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return;
  }
  const keep = text.split("\n").filter((l) => {
    if (!l.trim()) return false;
    try {
      const o = JSON.parse(l);
      return o.step < step || (o.step === step && !("valLoss" in o && batchInEpoch > 0));
    } catch {
      return false; // a line cut by the kill
    }
  });
  await writeTextFileAtomic(path, keep.map((l) => l + "\n").join(""));
}

/** Where a log line stands: the step and epoch, and the learning rates of the next step. */
export interface LogPoint {
  step: number;
  epoch: number;
  lr: number;
  discLr?: number;
}

export class RunLog {
  /** The loss terms of the steps since the last line. */
  readonly terms: TermLog;
  /** The means of the last line written. */
  lastLog: Record<string, number> = {};
  readonly t0 = performance.now();
  readonly #bar: ProgressBar;
  #tLog = this.t0;
  #stepsAtLog: number;
  /** The losses of the last log line, shown after the bar. */
  #note = "";
  /** A step of this session has been shown. */
  #stepShown = false;
  readonly #quiet: boolean;

  constructor(
    readonly path: string,
    logEvery: number,
    total: number,
    startStep: number,
    o: { quiet?: boolean; write?: (text: string) => void; progressInterval?: number },
  ) {
    // Rows for a log interval (the table grows if an interval is longer than 256 steps).
    this.terms = new TermLog(Math.min(logEvery, 256));
    this.#bar = new ProgressBar("train", total, {
      quiet: o.quiet,
      write: o.write,
      tty: o.write ? false : undefined, // a given writer is not the terminal
      unit: "steps",
      startAt: startStep,
      interval: o.progressInterval,
    });
    this.#stepsAtLog = startStep;
    this.#quiet = o.quiet ?? false;
    this.#bar.update(
      startStep,
      startStep === 0 ? "(the first step also compiles the GPU kernels)" : "",
    );
    this.#bar.keepAlive();
  }

  /**
   * Whether a progress line is due: after the run's first step (its time is news: the kernels
   * compiled), then once per interval. The caller waits for the GPU, then calls progress.
   */
  get progressDue(): boolean {
    return !this.#quiet && (!this.#stepShown || this.#bar.due);
  }

  /** Shows `step` (finished on the GPU) with the last logged losses. */
  progress(step: number) {
    this.#bar.update(step, this.#note, !this.#stepShown);
    this.#stepShown = true;
  }

  /** A line of its own on the progress stream (printed even when quiet). */
  message(text: string) {
    this.#bar.message(text);
  }

  /** Keeps one step's loss terms (copied into the GPU table; the caller frees them). */
  record(step: number, terms: Record<string, Tensor>) {
    this.terms.record(step, terms);
  }

  /** Writes the interval's line, if any step is pending (throws on a NaN/Inf term). */
  async flush(at: LogPoint) {
    if (this.terms.pending === 0) return;
    const means = await this.terms.drain();
    const now = performance.now();
    const sps = (at.step - this.#stepsAtLog) / ((now - this.#tLog) / 1000);
    this.#tLog = now;
    this.#stepsAtLog = at.step;
    this.lastLog = means;
    const mem = memoryStats();
    const line = {
      step: at.step,
      epoch: at.epoch,
      ...means,
      lr: at.lr,
      discLr: at.discLr,
      stepsPerSec: sps,
      // Leak watch (no GPU sync): buffers held by live tensors, their MB, the pool's free MB,
      // and the process's resident memory.
      gpuLiveBuffers: mem.liveBuffers,
      gpuLiveMB: mem.liveBytes / 2 ** 20,
      gpuPooledMB: mem.pooledBytes / 2 ** 20,
      hostRssMB: Deno.memoryUsage().rss / 2 ** 20,
    };
    await this.#append(line);
    this.#note = Object.entries(means).slice(0, 4).map(([k, v]) => `${k} ${v.toPrecision(4)}`)
      .join(" ");
    this.#bar.update(at.step, this.#note, !this.#stepShown);
    this.#stepShown = true;
  }

  /** The epoch's validation line. */
  async validation(step: number, epoch: number, valLoss: number) {
    await this.#append({ step, epoch, valLoss });
  }

  /** Completes the progress bar. */
  done(total: number) {
    this.#bar.update(total, this.#note);
  }

  /** Seconds since the log was opened. */
  get seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  dispose() {
    this.#bar.stop();
    this.terms.dispose();
  }

  async #append(line: Record<string, unknown>) {
    await Deno.writeTextFile(this.path, JSON.stringify(line) + "\n", { append: true });
  }
}
