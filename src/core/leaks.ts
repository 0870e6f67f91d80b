// The leak detector: with NEURAD_DEBUG_LEAKS=1 (or setLeakDetection(true)) every tensor made is
// watched, with the stack where it was made; a tensor garbage-collected without dispose() (its
// GPU buffer never went back to the pool) becomes a LeakReport, kept for leakReports() and passed
// to the onLeak() listeners (printed when there are none). Reports arrive on their own through a
// FinalizationRegistry, whose callbacks run some time after a collection; collectLeaks() finds
// the collected ones at once, through a WeakRef per watched tensor, for checks that must not
// wait (a test module's last look). Off, it costs one boolean test per tensor.

import { formatShape } from "./shape.ts";
import { envChoice } from "./env.ts";

/** A tensor that was garbage-collected without being disposed. */
export interface LeakReport {
  /** The tensor's id (Tensor.id). */
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** The stack where the tensor was made, engine-internal frames of the tensor module removed. */
  readonly createdAt: string;
}

const STACK_DEPTH = 14;

let enabled: boolean | null = null;
let registry: FinalizationRegistry<number> | null = null;
/** The watched tensors still neither disposed nor reported, by id. */
const watched = new Map<number, { ref: WeakRef<object>; report: LeakReport }>();
const reports: LeakReport[] = [];
const listeners = new Set<(r: LeakReport) => void>();

/** Whether tensors made now are watched (NEURAD_DEBUG_LEAKS=1 unless setLeakDetection said). */
export function leakDetection(): boolean {
  if (enabled === null) enabled = envChoice("NEURAD_DEBUG_LEAKS") === "1";
  return enabled;
}

/** Turns the detector on or off for the tensors made from now on (overrides the setting). */
export function setLeakDetection(on: boolean) {
  enabled = on;
}

/** The leaks reported so far (oldest first). */
export function leakReports(): readonly LeakReport[] {
  return [...reports];
}

/** Forgets the reports collected so far. */
export function clearLeakReports() {
  reports.length = 0;
}

/**
 * Calls fn for every leak reported from now on, instead of printing it; returns the function
 * that removes the listener.
 */
export function onLeak(fn: (r: LeakReport) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** One report as text: what leaked and where it was made. */
export function formatLeak(r: LeakReport): string {
  return `neurad: tensor #${r.id} ${r.dtype} ${formatShape(r.shape)} was garbage-collected ` +
    `without dispose(); made at\n${r.createdAt}`;
}

/** The registry's callback: the tensor with this id was collected (unless reported already). */
function finalized(id: number) {
  const w = watched.get(id);
  if (!w) return;
  watched.delete(id);
  report(w.report);
}

function report(r: LeakReport) {
  reports.push(r);
  if (listeners.size === 0) console.warn(formatLeak(r));
  for (const fn of listeners) fn(r);
}

/** V8's Error constructor: stackTraceLimit and captureStackTrace are V8's, not the standard's. */
const V8Error: ErrorConstructor & {
  stackTraceLimit?: number;
  captureStackTrace?(target: object, above?: unknown): void;
} = Error;

/**
 * The stack that made t, from the caller of its constructor, without the tensor module's own
 * frames; formatted now (a stack kept unformatted would keep its frames' receivers, t among
 * them, alive). Formatting costs about 10 µs a frame under Deno, hence the short depth.
 */
function creationStack(t: object): string {
  const holder: { stack?: string } = {};
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = STACK_DEPTH;
  if (V8Error.captureStackTrace) V8Error.captureStackTrace(holder, t.constructor);
  else holder.stack = new Error().stack;
  const stack = holder.stack ?? "";
  V8Error.stackTraceLimit = limit;
  const lines = stack.split("\n").slice(1);
  const outside = lines.findIndex((l) => !/core[\\/](leaks|tensor)\.ts/.test(l));
  return lines.slice(Math.max(outside, 0)).join("\n");
}

/**
 * Internal (the Tensor constructor): watches t when the detector is on. The report holds no
 * reference to t, or t could never be collected.
 */
export function watch(t: object, id: number, shape: readonly number[], dtype: string) {
  if (!leakDetection()) return;
  registry ??= new FinalizationRegistry(finalized);
  registry.register(t, id, t);
  watched.set(id, {
    ref: new WeakRef(t),
    report: { id, shape, dtype, createdAt: creationStack(t) },
  });
}

/** Internal (Tensor.dispose): the tensor t, numbered id, was disposed: it is no leak. */
export function unwatch(t: object, id: number) {
  if (!registry) return;
  registry.unregister(t);
  watched.delete(id);
}

/**
 * Reports now every watched tensor already garbage-collected without dispose(), without waiting
 * for the registry's callbacks, and returns all the reports so far. Run a collection first
 * (`gc()` under --v8-flags=--expose-gc): a tensor that is garbage but not yet collected is not
 * seen.
 */
export function collectLeaks(): readonly LeakReport[] {
  for (const [id, w] of watched) {
    if (w.ref.deref() === undefined) {
      watched.delete(id);
      report(w.report);
    }
  }
  return leakReports();
}
