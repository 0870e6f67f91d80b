// The page (dist/web/index.html, built by tools/build_web.ts): pick a model (the embedded demo
// model or a .neurad file), drop scans, and each scan goes through the GPU worker's detect behind
// a progress bar with its time left and a Cancel button; a finished scan shows in the viewer with
// its verdict, score against the healthy range, lesion components and the three files
// `neurad detect` writes. A bad file gets one line in its row and the other scans go on. Without
// WebGPU the page says in one line which browser setting turns it on.
//
// `window.neuradDetect(modelBytes, scanBytes, fileName)` is the one automation hook: it opens the
// model the way the model picker does and queues the scan the way a drop does, and resolves to the
// three files' bytes.

import { EngineClient, JobError } from "./engine_client.ts";
import type { DetectOutput } from "./engine_client.ts";
import { Eta } from "./eta.ts";
import { type ShownResult, showResult } from "./result_panel.ts";
import { OVERLAY_COLORMAPS, Viewer } from "./viewer.ts";
import type { ModelSummary } from "./worker_protocol.ts";
import { setupTrainTab } from "./train_tab.ts";
import { acceptFiles } from "./file_drop.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// ---- worker ----------------------------------------------------------------------------------
const workerUrl = URL.createObjectURL(
  new Blob([$("neurad-worker").textContent ?? ""], { type: "text/javascript" }),
);
const engine = new EngineClient(() => new Worker(workerUrl));
let gpuProblem: string | null = null;
let softwareGpu = false;
const gpuReady = engine.start().then((a) => {
  softwareGpu = a.isFallbackAdapter;
  const name = a.description || [a.vendor, a.architecture].filter(Boolean).join(" ");
  $("adapter").textContent = `GPU: ${name || "WebGPU adapter"}` +
    (a.isFallbackAdapter ? " (software fallback: slow)" : "");
  return true;
}).catch((e: unknown) => {
  gpuProblem = e instanceof Error ? e.message : String(e);
  const b = $("gpu-error");
  b.textContent = gpuProblem;
  b.hidden = false;
  for (const id of ["drop", "train-drop"]) $(id).classList.add("disabled");
  return false;
});

// ---- tabs ------------------------------------------------------------------------------------
for (const b of document.querySelectorAll<HTMLButtonElement>("nav button[data-tab]")) {
  b.addEventListener("click", () => {
    for (const o of document.querySelectorAll<HTMLButtonElement>("nav button[data-tab]")) {
      o.setAttribute("aria-selected", String(o === b));
      $(`tab-${o.dataset.tab}`).hidden = o !== b;
    }
  });
}

// ---- model -----------------------------------------------------------------------------------
let model: ModelSummary | null = null;
let modelKey = "";
let modelOpening: Promise<ModelSummary | null> = Promise.resolve(null);

async function digest(bytes: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Opens a model from its bytes (the picker, the demo button and the hook all come here). */
function openModel(bytes: Uint8Array, fileName: string): Promise<ModelSummary | null> {
  modelOpening = modelOpening.catch(() => null).then(async () => {
    const key = await digest(bytes);
    if (model && key === modelKey) return model;
    if (!(await gpuReady)) throw new JobError(gpuProblem ?? "no WebGPU", "no-webgpu");
    const status = $("model-status");
    status.textContent = `opening ${fileName}…`;
    try {
      model = await engine.openModel(bytes, fileName);
      modelKey = key;
    } catch (e) {
      // The worker keeps the model it had: say so after the one line about this file.
      const line = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      status.textContent = model ? `${line} (still using ${model.fileName})` : line;
      status.dataset.error = "1";
      throw e;
    }
    delete status.dataset.error;
    const t = model.thresholds;
    status.textContent = `${fileName}: ${model.modelName} (${model.preset || "custom"}), ` +
      `${model.parameters.toLocaleString("en")} parameters, ` +
      (t ? `thresholds from ${t.createdBy}` : "no thresholds: maps only, no verdict or mask");
    (document.getElementById("thresh") as HTMLInputElement).value = String(t?.threshold ?? 0);
    return model;
  });
  return modelOpening;
}

const demoEl = document.getElementById("neurad-demo-model");
let demoBytes: Uint8Array | null = null;
if (demoEl?.textContent) {
  const bin = atob(demoEl.textContent.trim());
  demoBytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  $("use-demo").hidden = false;
  $("use-demo").addEventListener("click", () => void openModel(demoBytes!, "demo.neurad"));
  void openModel(demoBytes, "demo.neurad").catch(() => {});
} else {
  $("model-note").textContent = $("neurad-demo-note").textContent ?? "";
}
$<HTMLInputElement>("model-input").addEventListener("change", async (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (!f) return;
  await openModel(new Uint8Array(await f.arrayBuffer()), f.name).catch(() => {});
  (ev.target as HTMLInputElement).value = "";
});

// ---- viewer and overlay controls -------------------------------------------------------------
let viewer: Viewer | null = null;
const cmap = $<HTMLSelectElement>("cmap");
for (const c of OVERLAY_COLORMAPS) cmap.append(new Option(c, c));
const settings = () => ({
  colormap: cmap.value,
  opacity: Number($<HTMLInputElement>("opacity").value),
  threshold: Number($<HTMLInputElement>("thresh").value),
  outline: $<HTMLInputElement>("outline").checked,
});
function controlsChanged() {
  const s = settings();
  $("opacity-out").textContent = s.opacity.toFixed(2);
  $("thresh-out").textContent = s.threshold.toPrecision(3);
  viewer?.apply(s);
}
for (const id of ["cmap", "opacity", "thresh", "outline"]) {
  $(id).addEventListener("input", controlsChanged);
}
controlsChanged();

// ---- scan queue ------------------------------------------------------------------------------
interface ScanItem {
  name: string;
  bytes: Uint8Array;
  row: HTMLLIElement;
  state: "queued" | "running" | "done" | "failed" | "cancelled";
  output?: DetectOutput;
  result?: ShownResult;
  cancel?: () => void;
  done: Promise<DetectOutput>;
}

const items: ScanItem[] = [];
let chain: Promise<unknown> = Promise.resolve();
let selected: ScanItem | null = null;

function setRow(it: ScanItem, status: string, progress: number | null) {
  it.row.dataset.state = it.state;
  const p = it.row.querySelector("progress")!;
  if (progress === null) p.removeAttribute("value");
  else p.value = progress;
  it.row.querySelector(".status")!.textContent = status;
  const btn = it.row.querySelector("button")!;
  btn.disabled = it.state !== "queued" && it.state !== "running";
}

/** One line for a failed scan: names the file unless the message already does. */
function failLine(name: string, e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  return msg.includes(name) ? msg : `${name}: ${msg}`;
}

async function runItem(it: ScanItem): Promise<DetectOutput> {
  if (it.state === "cancelled") throw new JobError("cancelled", "cancelled");
  it.state = "running";
  setRow(it, "preprocessing…", null);
  if (!(await gpuReady)) throw new JobError(gpuProblem ?? "no WebGPU", "no-webgpu");
  await modelOpening.catch(() => {});
  if (!model) throw new JobError("no model: open a .neurad model file first", "input");
  const eta = new Eta();
  const job = engine.detect(it.bytes, it.name, {
    onProgress: (done, total) => {
      eta.update(done, performance.now());
      setRow(
        it,
        done < total ? eta.text(done, total, "slices") : "post-processing…",
        done / total,
      );
    },
  });
  it.cancel = job.cancel;
  return await job.done;
}

/** Queues one scan (drops, the file picker and the hook all come here). */
function addScan(name: string, bytes: Uint8Array): ScanItem {
  const row = document.createElement("li");
  row.innerHTML = `<span class="name"></span><progress max="1" value="0"></progress>` +
    `<span class="status"></span><button type="button">Cancel</button>`;
  row.querySelector(".name")!.textContent = name;
  $("queue").append(row);
  const it = { name, bytes, row, state: "queued" } as ScanItem;
  setRow(it, "queued", 0);
  row.querySelector("button")!.addEventListener("click", (ev) => {
    ev.stopPropagation();
    if (it.state === "queued") {
      it.state = "cancelled";
      setRow(it, "cancelled", 0);
    } else it.cancel?.();
  });
  row.addEventListener(
    "click",
    () => void select(it).catch((e) => console.error(failLine(name, e))),
  );
  it.done = new Promise<DetectOutput>((resolve, reject) => {
    chain = chain.then(async () => {
      try {
        const out = await runItem(it);
        it.output = out;
        it.result = JSON.parse(out.json) as ShownResult;
        it.state = "done";
        const r = it.result;
        setRow(
          it,
          `${r.verdict}${
            r.volumeScore === null ? "" : ` · score ${r.volumeScore.toPrecision(4)}`
          }` +
            ` · ${r.lesions.length} component(s)`,
          1,
        );
        resolve(out);
        // The first finished scan shows itself; the queue goes on while the viewer loads.
        if (!selected) void select(it).catch((e) => console.error(failLine(name, e)));
      } catch (e) {
        const cancelled = e instanceof JobError && e.reason === "cancelled";
        it.state = cancelled ? "cancelled" : "failed";
        setRow(it, cancelled ? "cancelled" : failLine(name, e), cancelled ? 0 : 1);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
  it.done.catch(() => {});
  items.push(it);
  return it;
}

async function select(it: ScanItem): Promise<void> {
  if (it.state !== "done" || !it.output || !it.result) return;
  selected = it;
  for (const o of items) o.row.classList.toggle("selected", o === it);
  $("result").hidden = false;
  viewer ??= new Viewer($<HTMLCanvasElement>("gl"), settings(), !softwareGpu);
  viewer.onLocation = (s) => ($("location").textContent = s);
  await viewer.show({ bytes: it.bytes, name: it.name }, it.output.anomaly, it.output.mask);
  const th = $<HTMLInputElement>("thresh");
  th.max = String(viewer.overlayMax || 1);
  th.step = String((viewer.overlayMax || 1) / 1000);
  if (it.result.threshold !== null) th.value = String(it.result.threshold);
  controlsChanged();
  showResult(it.result, it.output, model?.thresholds ?? null, (w) => viewer?.moveTo(w));
  document.body.dataset.shown = it.name;
}

async function addFiles(files: Iterable<File>): Promise<void> {
  for (const f of files) addScan(f.name, new Uint8Array(await f.arrayBuffer()));
}

acceptFiles("drop", "scan-input", addFiles);

// ---- automation hook -------------------------------------------------------------------------
async function neuradDetect(
  modelBytes: Uint8Array,
  scanBytes: Uint8Array,
  fileName: string,
): Promise<{ anomaly: Uint8Array | null; mask: Uint8Array | null; json: string }> {
  await openModel(modelBytes, "model.neurad");
  const out = await addScan(fileName, scanBytes).done;
  return { anomaly: out.anomaly, mask: out.mask, json: out.json };
}

Object.assign(globalThis, {
  neuradDetect,
  /** The worker's GPU memory statistics (live buffers), for tests and outside checks. */
  neuradMemory: () => engine.memory(),
});

setupTrainTab(engine, { gpuReady, openedModel: () => model, openModel });
document.body.dataset.ready = "1";
