// The page's Train tab: healthy scans dropped here train the `demo` preset (or fine-tune the
// opened model) in the GPU worker (src/web/train_in_worker.ts) with a live loss curve (SVG), the
// time left, an input/reconstruction pair every few steps and a Cancel; then "Export model" saves
// a .neurad file and opens it as the page's model, ready for the Detect tab and for
// `neurad detect --model`. `window.neuradTrain(scans, steps)` runs the same path for tests.

import { type EngineClient, JobError } from "./engine_client.ts";
import { Eta } from "./eta.ts";
import { acceptFiles } from "./file_drop.ts";
import type { ModelSummary } from "./worker_protocol.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export interface TrainTabDeps {
  gpuReady: Promise<boolean>;
  openedModel(): ModelSummary | null;
  openModel(bytes: Uint8Array, fileName: string): Promise<ModelSummary | null>;
}

/** The loss curve as an SVG polyline over steps (y from 0 to the largest loss). */
export function drawLoss(svg: SVGSVGElement, losses: number[], total: number): void {
  const W = 600, H = 220, pad = 28;
  const hi = Math.max(...losses.filter(Number.isFinite), 1e-9);
  const x = (i: number) => pad + ((W - 2 * pad) * i) / Math.max(1, total - 1);
  const y = (v: number) => H - pad - ((H - 2 * pad) * v) / hi;
  const pts = losses.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  svg.innerHTML = `<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" ` +
    `stroke="currentColor" opacity="0.4"/><line x1="${pad}" y1="${pad}" x2="${pad}" ` +
    `y2="${H - pad}" stroke="currentColor" opacity="0.4"/>` +
    `<text x="${pad}" y="${pad - 8}" font-size="12" fill="currentColor">loss (max ${
      hi.toPrecision(4)
    })</text><text x="${W - pad}" y="${H - 8}" font-size="12" text-anchor="end" ` +
    `fill="currentColor">step ${losses.length} of ${total}</text>` +
    `<polyline points="${pts}" fill="none" stroke="#2563eb" stroke-width="2"/>`;
}

export function setupTrainTab(engine: EngineClient, deps: TrainTabDeps): void {
  const scans: { fileName: string; bytes: Uint8Array }[] = [];
  const start = $<HTMLButtonElement>("train-start");
  const cancel = $<HTMLButtonElement>("train-cancel");
  const exportBtn = $<HTMLButtonElement>("train-export");
  const status = $("train-status");
  const progress = $<HTMLProgressElement>("train-progress");
  let cancelJob: (() => void) | null = null;
  let lastLosses: number[] = [];

  const listFiles = () => {
    $("train-files").replaceChildren(...scans.map((s) => {
      const li = document.createElement("li");
      li.textContent = `${s.fileName} (${(s.bytes.length / 2 ** 20).toFixed(1)} MiB)`;
      return li;
    }));
    start.disabled = scans.length === 0 || cancelJob !== null;
  };
  const add = async (files: Iterable<File>) => {
    for (const f of files) {
      scans.push({ fileName: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
    }
    listFiles();
  };
  acceptFiles("train-drop", "train-input", add);

  /** Trains on `files` for `steps` steps (the button and the hook both come here). */
  const train = async (
    files: { fileName: string; bytes: Uint8Array }[],
    steps: number,
    fineTune: boolean,
  ): Promise<number[]> => {
    if (!(await deps.gpuReady)) throw new JobError("no WebGPU", "no-webgpu");
    if (fineTune && !deps.openedModel()) {
      throw new JobError("fine-tune: open a model in the Detect tab first", "input");
    }
    start.disabled = true;
    exportBtn.disabled = true;
    cancel.disabled = false;
    status.dataset.state = "running";
    status.textContent = "preprocessing the scans…";
    progress.value = 0;
    const losses: number[] = [];
    const eta = new Eta();
    const job = engine.train(
      {
        scans: files.map((f) => ({ fileName: f.fileName, bytes: f.bytes.slice() })),
        steps,
        fineTune,
        seed: 0,
      },
      (m) => {
        losses.push(m.loss);
        eta.update(m.step, performance.now());
        progress.value = m.step / m.total;
        status.textContent = `${eta.text(m.step, m.total, "steps")} · loss ${
          m.loss.toPrecision(4)
        }`;
        drawLoss($("loss-chart") as unknown as SVGSVGElement, losses, m.total);
        if (m.samplePng) {
          const img = $<HTMLImageElement>("train-sample");
          if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
          img.src = URL.createObjectURL(new Blob([m.samplePng as BlobPart], { type: "image/png" }));
        }
      },
    );
    cancelJob = job.cancel;
    try {
      const r = await job.done;
      lastLosses = r.losses;
      status.dataset.state = "done";
      status.textContent = `trained ${r.steps} steps: loss ${r.losses[0].toPrecision(4)} → ${
        r.losses[r.losses.length - 1].toPrecision(4)
      }. Export the model to use it.`;
      exportBtn.disabled = false;
      return r.losses;
    } catch (e) {
      const cancelled = e instanceof JobError && e.reason === "cancelled";
      status.dataset.state = cancelled ? "cancelled" : "failed";
      status.textContent = cancelled ? "cancelled" : (e as Error).message.split("\n")[0];
      throw e;
    } finally {
      cancelJob = null;
      cancel.disabled = true;
      listFiles();
    }
  };

  /** Exports the trained model, offers it as a download and opens it as the page's model. */
  const exportModel = async (fileName = "browser-demo.neurad"): Promise<Uint8Array> => {
    const bytes = await engine.exportModel(fileName);
    const a = document.createElement("a");
    a.href = URL.createObjectURL(
      new Blob([bytes as BlobPart], { type: "application/octet-stream" }),
    );
    a.download = fileName;
    a.textContent = `${fileName} (${(bytes.length / 2 ** 20).toFixed(2)} MiB)`;
    a.dataset.file = fileName;
    status.replaceChildren(`exported (final loss ${lastLosses.at(-1)?.toPrecision(4)}): `, a);
    await deps.openModel(bytes, fileName).catch(() => {});
    return bytes;
  };

  start.addEventListener("click", () => {
    const steps = Math.max(1, Math.floor(Number($<HTMLInputElement>("train-steps").value) || 1));
    void train(scans, steps, $<HTMLInputElement>("train-finetune").checked).catch(() => {});
  });
  cancel.addEventListener("click", () => cancelJob?.());
  exportBtn.addEventListener("click", () => void exportModel().then((b) => b, () => {}));

  Object.assign(globalThis, {
    /** Trains on (name, bytes) scans for `steps` steps, resolves to the losses (tests). */
    neuradTrain: async (
      files: { fileName: string; bytes: Uint8Array }[],
      steps: number,
      fineTune = false,
    ) => {
      const losses = await train(files, steps, fineTune);
      return { losses, model: await exportModel() };
    },
  });
}
