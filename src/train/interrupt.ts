// Stopping a run cleanly on Ctrl-C (SIGINT) or SIGTERM. The signal handler only records the
// request; the training loop looks at it between steps, saves a resumable checkpoint through the
// atomic writer and returns, and the command exits 128 + the signal number (130 / 143). A second
// signal while the loop finishes its step or saves quits at once: every checkpoint file is
// written to a temp name and renamed, so the previous `last` stays whole. Handlers run only when
// the main thread is free, so signals sent while a step blocked it (a CPU adapter runs WebGPU
// work synchronously) arrive together: a signal within a second of the first counts as the same
// request, and the run still saves.

export type StopSignal = "SIGINT" | "SIGTERM";

/** The conventional exit status of a process stopped by `signal` (128 + its number). */
export const SIGNAL_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** A stop asked for while the run trains (by a signal, or by a caller such as a test). */
export class StopRequest {
  #signal?: StopSignal;

  /** The first signal received, if any. */
  get signal(): StopSignal | undefined {
    return this.#signal;
  }

  /** Asks the run to stop at the next step boundary (the first request wins). */
  request(signal: StopSignal): void {
    this.#signal ??= signal;
  }
}

/** Milliseconds after the first signal during which another is the same request. */
export const REPEAT_MS = 1000;

/**
 * Routes SIGINT and SIGTERM to `stop` until the returned function is called (which restores
 * the default handling). A signal at least REPEAT_MS after the first calls `again` (it should
 * exit at once). Signals the platform cannot listen for (SIGTERM on Windows) are skipped.
 */
export function listenForStop(
  stop: StopRequest,
  again: (signal: StopSignal) => void,
  now: () => number = () => performance.now(),
): () => void {
  const added: [StopSignal, () => void][] = [];
  let first = -Infinity;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => {
      if (!stop.signal) {
        stop.request(signal);
        first = now();
      } else if (now() - first >= REPEAT_MS) {
        again(signal);
      }
    };
    try {
      Deno.addSignalListener(signal, handler);
      added.push([signal, handler]);
    } catch {
      // not supported here
    }
  }
  return () => {
    for (const [signal, handler] of added) Deno.removeSignalListener(signal, handler);
    added.length = 0;
  };
}
