// The page's side of the GPU worker: one promise per request (src/web/worker_protocol.ts), progress
// callbacks, and a Cancel that always works: the job is aborted in the worker between batches, and
// if it has not stopped within a few seconds (a long synchronous step, a hung GPU) the worker is
// terminated and a fresh one started, with the last model opened again before the next job.

import type { MemoryStats } from "../core/memory.ts";
import type {
  AdapterSummary,
  FromWorker,
  ModelSummary,
  ToWorker,
  TrainRequest,
} from "./worker_protocol.ts";

/** A failed job: `reason` says whether WebGPU is missing, the user cancelled, or the input is bad. */
export class JobError extends Error {
  constructor(message: string, readonly reason?: "no-webgpu" | "cancelled" | "input") {
    super(message);
  }
}

type Final = Exclude<FromWorker, { kind: "progress" } | { kind: "train-step" }>;

interface Pending {
  resolve(m: Final): void;
  reject(e: JobError): void;
  onMessage?(m: FromWorker): void;
}

export interface DetectOutput {
  anomaly: Uint8Array | null;
  mask: Uint8Array | null;
  json: string;
  names: { anomaly: string; mask: string; json: string };
  memory: MemoryStats;
}

/** A running job: its result and a way to stop it. */
export interface Job<T> {
  id: number;
  done: Promise<T>;
  cancel(): void;
}

const HARD_CANCEL_MS = 4000;

export class EngineClient {
  #makeWorker: () => Worker;
  #worker: Worker;
  #next = 1;
  #pending = new Map<number, Pending>();
  #model: { bytes: Uint8Array; fileName: string } | null = null;
  #reopen: Promise<unknown> | null = null;

  constructor(makeWorker: () => Worker) {
    this.#makeWorker = makeWorker;
    this.#worker = this.#spawn();
  }

  #spawn(): Worker {
    const w = this.#makeWorker();
    w.onmessage = (ev) => this.#receive(ev.data as FromWorker);
    w.onerror = (ev) => {
      ev.preventDefault();
      this.#failAll(`the GPU worker stopped: ${ev.message || "unknown error"}`);
    };
    return w;
  }

  #failAll(message: string, reason?: JobError["reason"]): void {
    for (const p of this.#pending.values()) p.reject(new JobError(message, reason));
    this.#pending.clear();
  }

  #receive(m: FromWorker): void {
    const p = this.#pending.get(m.id);
    if (!p) return;
    if (m.kind === "progress" || m.kind === "train-step") {
      p.onMessage?.(m);
      return;
    }
    this.#pending.delete(m.id);
    if (m.kind === "error") p.reject(new JobError(m.message, m.reason));
    else p.resolve(m);
  }

  #send<T extends Final>(
    make: (id: number) => ToWorker,
    transfer: ArrayBuffer[] = [],
    onMessage?: (m: FromWorker) => void,
  ): Job<T> {
    const id = this.#next++;
    const done = new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (m: Final) => void, reject, onMessage });
    });
    this.#worker.postMessage(make(id), transfer);
    return { id, done, cancel: () => this.#cancel(id) };
  }

  #cancel(id: number): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#worker.postMessage({ kind: "cancel", id } satisfies ToWorker);
    setTimeout(() => {
      if (!this.#pending.has(id)) return;
      // Still running: stop the worker outright and start a fresh one.
      this.#worker.terminate();
      this.#pending.get(id)?.reject(new JobError("cancelled", "cancelled"));
      this.#pending.delete(id);
      this.#failAll("the GPU worker was restarted after a cancel: try again");
      this.#worker = this.#spawn();
      const m = this.#model;
      this.#reopen = (async () => {
        await this.#send<{ kind: "ready" } & Final>((i) => ({ kind: "hello", id: i })).done;
        if (m) await this.#openNow(m.bytes, m.fileName);
      })().catch(() => {});
    }, HARD_CANCEL_MS);
  }

  async #ready(): Promise<void> {
    const r = this.#reopen;
    if (r) {
      await r;
      if (this.#reopen === r) this.#reopen = null;
    }
  }

  /** Opens the device; rejects with reason "no-webgpu" and one line when there is none. */
  async start(): Promise<AdapterSummary> {
    const m = await this.#send<Extract<Final, { kind: "ready" }>>((id) => ({ kind: "hello", id }))
      .done;
    return m.adapter;
  }

  #openNow(bytes: Uint8Array, fileName: string): Promise<Extract<Final, { kind: "model" }>> {
    const copy = bytes.slice();
    return this.#send<Extract<Final, { kind: "model" }>>(
      (id) => ({ kind: "open-model", id, bytes: copy, fileName }),
      [copy.buffer],
    ).done;
  }

  /** Opens a .neurad model in the worker (replacing the one before). */
  async openModel(bytes: Uint8Array, fileName: string): Promise<ModelSummary> {
    await this.#ready();
    const m = await this.#openNow(bytes, fileName);
    this.#model = { bytes: bytes.slice(), fileName };
    return m.model;
  }

  /** Runs detect on one scan with the opened model. */
  detect(
    scanBytes: Uint8Array,
    fileName: string,
    opts: { threshold?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Job<DetectOutput> {
    let inner: Job<Extract<Final, { kind: "detected" }>> | null = null;
    let cancelled = false;
    const done = (async () => {
      await this.#ready();
      if (cancelled) throw new JobError("cancelled", "cancelled");
      const copy = scanBytes.slice();
      inner = this.#send<Extract<Final, { kind: "detected" }>>(
        (id) => ({ kind: "detect", id, scanBytes: copy, fileName, threshold: opts.threshold }),
        [copy.buffer],
        (m) => {
          if (m.kind === "progress") opts.onProgress?.(m.done, m.total);
        },
      );
      const r = await inner.done;
      // Cancelled after its last batch: the result came anyway, but the user said stop.
      if (cancelled) throw new JobError("cancelled", "cancelled");
      return { anomaly: r.anomaly, mask: r.mask, json: r.json, names: r.names, memory: r.memory };
    })();
    return {
      id: -1,
      done,
      cancel: () => {
        cancelled = true;
        inner?.cancel();
      },
    };
  }

  /** The worker's live GPU buffers and bytes. */
  async memory(): Promise<MemoryStats> {
    await this.#ready();
    return (await this.#send<Extract<Final, { kind: "memory" }>>((id) => ({ kind: "memory", id }))
      .done).memory;
  }

  /** Trains in the worker; `onStep` sees every step's loss. */
  train(
    request: TrainRequest,
    onStep: (m: Extract<FromWorker, { kind: "train-step" }>) => void,
  ): Job<Extract<Final, { kind: "trained" }>> {
    const transfer = request.scans.map((s) => s.bytes.buffer as ArrayBuffer);
    return this.#send<Extract<Final, { kind: "trained" }>>(
      (id) => ({ kind: "train", id, request }),
      transfer,
      (m) => {
        if (m.kind === "train-step") onStep(m);
      },
    );
  }

  /** The trained model as .neurad bytes. */
  async exportModel(fileName: string): Promise<Uint8Array> {
    const m = await this.#send<Extract<Final, { kind: "exported" }>>(
      (id) => ({ kind: "export", id, fileName }),
    ).done;
    return m.bytes;
  }
}
