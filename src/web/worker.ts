// The page's Web Worker: it owns the GPU device and runs the same application code as the CLI:
// openModelBytes (a .neurad file → model in eval mode, thresholds) and detectVolume (scan bytes →
// anomaly map, mask, JSON), plus the training tab's steps (src/web/train_in_worker.ts). Heavy
// work here keeps the page responsive; the page talks to it through src/web/engine_client.ts in
// the messages of src/web/worker_protocol.ts. Jobs run one after another (one GPU queue); a
// cancel aborts the job between batches. After each job every tensor it made is released and the
// buffer pool emptied, so live GPU buffers return to the model's own.

import { deviceInfo, getDevice, NoAdapterError } from "../core/device.ts";
import { UserError } from "../core/errors.ts";
import { emptyCache, memoryStats } from "../core/memory.ts";
import { detectVolume, outputNames, scanBaseName } from "../detect/detect_volume.ts";
import { type OpenedModel, openModelBytes } from "../export/open_model.ts";
import { adapterTooSmall, tooSmallForModel, webgpuMissing } from "./gpu_support.ts";
import type { FromWorker, ModelSummary, ToWorker } from "./worker_protocol.ts";
import { TrainSession } from "./train_in_worker.ts";

const scope = globalThis as unknown as {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent) => void) | null;
};

function post(m: FromWorker, transfer: (ArrayBufferLike | null | undefined)[] = []): void {
  scope.postMessage(m, transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer));
}

let model: OpenedModel | null = null;
let training: TrainSession | null = null;
let modelFile = "";
const aborts = new Map<number, AbortController>();
let queue: Promise<unknown> = Promise.resolve();
/** Set once getDevice() succeeded: the buffer pool exists only then. */
let gpuOpen = false;

async function device(): Promise<void> {
  await getDevice();
  gpuOpen = true;
}

/** Serialises GPU jobs: one at a time, in arrival order. */
function enqueue(id: number, job: (signal: AbortSignal) => Promise<void>): void {
  const ac = new AbortController();
  aborts.set(id, ac);
  queue = queue.then(async () => {
    try {
      if (ac.signal.aborted) throw ac.signal.reason;
      await job(ac.signal);
    } catch (e) {
      post(errorMessage(id, e, ac.signal.aborted));
    } finally {
      aborts.delete(id);
      if (gpuOpen) emptyCache();
    }
  });
}

function errorMessage(id: number, e: unknown, aborted: boolean): FromWorker {
  if (aborted) return { kind: "error", id, message: "cancelled", reason: "cancelled" };
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  if (e instanceof NoAdapterError) {
    return { kind: "error", id, message: webgpuMissing(null)!, reason: "no-webgpu" };
  }
  const small = tooSmallForModel(msg);
  if (small) return { kind: "error", id, message: small, reason: "no-webgpu" };
  return {
    kind: "error",
    id,
    message: msg.replace(/^neurad: /, ""),
    reason: e instanceof UserError ? "input" : undefined,
  };
}

function summary(run: OpenedModel, fileName: string): ModelSummary {
  let parameters = 0;
  for (const p of (run.model as unknown as { parameters(): { size: number }[] }).parameters()) {
    parameters += p.size;
  }
  return {
    fileName,
    modelName: run.config.model.name,
    preset: run.config.preset ?? "",
    inputShape: [...run.model.inputShape],
    parameters,
    thresholds: run.thresholds ?? null,
    nifti: run.config.data.kind === "nifti",
  };
}

function closeModel(): void {
  model?.model.dispose();
  model?.discriminator?.dispose();
  model = null;
}

async function hello(id: number): Promise<void> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const missing = webgpuMissing(gpu);
  if (missing) {
    post({ kind: "error", id, message: missing, reason: "no-webgpu" });
    return;
  }
  try {
    await device();
  } catch (e) {
    post({ kind: "error", id, message: webgpuMissing(null)!, reason: "no-webgpu" });
    if (!(e instanceof NoAdapterError)) console.warn(String(e));
    return;
  }
  const info = deviceInfo();
  const small = adapterTooSmall(info.limits);
  if (small) {
    post({ kind: "error", id, message: small, reason: "no-webgpu" });
    return;
  }
  post({
    kind: "ready",
    id,
    adapter: {
      description: info.description,
      vendor: info.vendor,
      architecture: info.architecture,
      isFallbackAdapter: info.isFallbackAdapter,
      maxStorageBufferBindingSize: info.limits.maxStorageBufferBindingSize,
      maxBufferSize: info.limits.maxBufferSize,
    },
  });
}

function handle(m: ToWorker): void {
  switch (m.kind) {
    case "hello":
      enqueue(m.id, () => hello(m.id));
      return;
    case "cancel":
      aborts.get(m.id)?.abort(new DOMException("cancelled", "AbortError"));
      return;
    case "memory":
      enqueue(m.id, () => {
        post({ kind: "memory", id: m.id, memory: memoryStats() });
        return Promise.resolve();
      });
      return;
    case "open-model":
      enqueue(m.id, async () => {
        await device();
        const run = await openModelBytes(m.bytes, m.fileName);
        closeModel();
        model = run;
        modelFile = m.fileName;
        post({ kind: "model", id: m.id, model: summary(run, m.fileName), memory: memoryStats() });
      });
      return;
    case "detect":
      enqueue(m.id, async (signal) => {
        if (!model) throw new UserError("no model: open a .neurad model file first");
        if (model.config.data.kind !== "nifti") {
          throw new UserError(`${modelFile}: this model was trained on 2D images, not NIfTI scans`);
        }
        const out = await detectVolume(model, m.scanBytes, m.fileName, model.thresholds ?? null, {
          threshold: m.threshold,
          signal,
          onProgress: (done, total) =>
            post({ kind: "progress", id: m.id, done, total, stage: "reconstructing slices" }),
        });
        emptyCache();
        post({
          kind: "detected",
          id: m.id,
          anomaly: out.anomaly,
          mask: out.mask,
          json: out.json,
          names: outputNames(scanBaseName(m.fileName)),
          memory: memoryStats(),
        }, [out.anomaly?.buffer, out.mask?.buffer]);
      });
      return;
    case "train":
      enqueue(m.id, async (signal) => {
        await device();
        training?.dispose();
        training = null;
        training = new TrainSession(m.request, m.request.fineTune ? model : null);
        const r = await training.run(signal, (s) => {
          post({ kind: "train-step", id: m.id, ...s }, [s.samplePng?.buffer]);
        });
        post({ kind: "trained", id: m.id, ...r, memory: memoryStats() });
      });
      return;
    case "export":
      enqueue(m.id, async () => {
        if (!training) throw new UserError("nothing trained yet: train first, then export");
        const bytes = await training.exportModel(m.fileName);
        post({ kind: "exported", id: m.id, bytes, fileName: m.fileName }, [bytes.buffer]);
      });
      return;
  }
}

scope.onmessage = (ev: MessageEvent) => handle(ev.data as ToWorker);
