// Inference throughput of `detect` and of eval's per-volume work, neurad beside onnxruntime-web
// 1.31 on WebGPU running the SAME model (neurad's ONNX export of it, src/export/export_onnx.ts):
// volumes per second, whole pipeline. The pipeline is detect's own code (detectVolume: NIfTI
// bytes → parse, orient, preprocess, reconstruct every axial slice in batches of 16, residual,
// 2D median, eroded brain mask, volume score, lesions, back onto the scan's grid, gzipped NIfTI
// map and mask, JSON); only its model runtime differs (DetectVolumeOptions.reconstruct): neurad's
// reconstructStack, or the same batch loop around an ORT session (inputs and outputs on the host,
// as a deployed ORT model runs). "eval" is the part of `neurad eval`'s work that scales with the
// volumes: a preprocessed stack reconstructed and post-processed (postprocessStack); loading from
// the cache, thresholds, metrics and the report are per run.
//
// Models: the first study's VAE (reddipalli22-vae) at the demo preset's width (¼, latent 32) and
// at full width (latent 128), seeded weights (throughput does not depend on them). Scan: the
// shipped Colin27 T1 brain on its 1 mm grid. Before timing, the two runtimes' anomaly maps must
// agree (max |Δ| ≤ 1e-3 · max map) with the same lesions. Then `rounds` alternating rounds (neurad,
// ORT, after one warm-up each) in one process; medians. `--wasm` adds ORT's wasm EP (CPU SIMD, one
// thread) for scale.
//
// Usage: deno run -A bench/peers/detect_ort_peers_bench.ts [rounds=3] [--wasm] [--full-only]

import { deviceInfo, getDevice } from "../../src/core/device.ts";
import { loadColin27, templateVolume } from "../../src/data/demo/colin27_template.ts";
import { parseNifti } from "../../src/data/nifti/read_nifti.ts";
import { encodeNiftiFile } from "../../src/data/nifti/write_nifti.ts";
import { detectVolume, preprocessForRun } from "../../src/detect/detect_volume.ts";
import { postprocessStack } from "../../src/eval/postprocess/postprocess_stack.ts";
import {
  accumulateResiduals,
  type Reconstruction,
  reconstructStack,
  type StackReconstructor,
} from "../../src/eval/scoring/reconstruct.ts";
import { fromStoredPostprocess } from "../../src/eval/stored_thresholds.ts";
import { onnxOfModel } from "../../src/export/export_onnx.ts";
import { manualSeed } from "../../src/kernels/random.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import type { OpenedRun } from "../../src/train/open_run.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { loadAvg, median } from "./_conv_peers.ts";
import { loadOrt, ORT_VERSION } from "./_engine_ort.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const rounds = Math.max(1, Number(args[0] ?? 3));
const withWasm = Deno.args.includes("--wasm");
const fullOnly = Deno.args.includes("--full-only");
const BATCH = 16;
const log = (s: string) => console.log(s);

await getDevice();
const ort = await loadOrt();
const info = deviceInfo();
log(`detect / eval throughput: neurad vs onnxruntime-web ${ORT_VERSION}`);
log(
  `adapter ${info.description} (${info.backend ?? "?"}), Deno ${Deno.version.deno}, ` +
    `load ${loadAvg()}, ${rounds} alternating rounds after one warm-up, ${
      new Date().toISOString()
    }`,
);

// The scan: Colin27 T1 (skull-stripped, 1 mm, RAS) as NIfTI bytes on its cropped grid.
const scanName = "colin27_t1.nii.gz";
const scanBytes = encodeNiftiFile(templateVolume(await loadColin27()), {}, scanName);

// deno-lint-ignore no-explicit-any
type OrtSession = any;

/** The batch loop of reconstructStack around an ORT session of the exported model. */
function ortReconstructor(session: OrtSession): StackReconstructor {
  return async (images, shape, o = {}): Promise<Reconstruction> => {
    const [N, C, H, W] = shape, per = C * H * W, plane = H * W;
    const residuals = new Float32Array(N * plane);
    const reconstructions = new Float32Array(N * per);
    const sliceErrors = new Float64Array(N);
    for (let i = 0; i < N; i += BATCH) {
      const k = Math.min(BATCH, N - i);
      const x = new ort.Tensor("float32", images.slice(i * per, (i + k) * per), [k, C, H, W]);
      const out = await session.run({ image: x });
      const rv = out.reconstruction.data as Float32Array;
      for (const v of Object.values(out)) (v as { dispose(): void }).dispose();
      x.dispose();
      reconstructions.set(rv, i * per);
      accumulateResiduals(
        images,
        rv,
        i,
        k,
        shape,
        o.residual ?? "absolute",
        residuals,
        sliceErrors,
      );
      o.progress?.update(i + k);
    }
    return { residuals, reconstructions, sliceErrors };
  };
}

interface Case {
  label: string;
  options: Record<string, unknown>;
}
const CASES: Case[] = [
  { label: "demo VAE (¼ width, L 32)", options: { latentDim: 32, widthMultiplier: 0.25 } },
  { label: "study VAE (full width, L 128)", options: { latentDim: 128 } },
].filter((c) => !fullOnly || c.label.startsWith("study"));

interface Runtime {
  name: string;
  reconstruct: StackReconstructor;
  release(): Promise<void>;
}

const rows: string[] = [];
for (const c of CASES) {
  const config = presetConfig("reddipalli22-vae");
  config.model.options = { ...config.model.options, ...c.options };
  manualSeed(7);
  const model = createModel<Module & Autoencoder>(config.model.name, config.model.options);
  model.eval();
  const run: OpenedRun = {
    config,
    model,
    dir: "bench-run",
    checkpointPath: "bench-run/checkpoints/best.safetensors",
    step: 0,
    epoch: 0,
  };
  const { bytes } = await onnxOfModel(model, config.model.name);
  const runtimes: Runtime[] = [{
    name: "neurad",
    reconstruct: (images, shape, o) => reconstructStack(model, images, shape, o),
    release: async () => {},
  }];
  for (const ep of withWasm ? ["webgpu", "wasm"] : ["webgpu"]) {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep] });
    runtimes.push({
      name: ep === "webgpu" ? "ORT WebGPU" : "ORT wasm",
      reconstruct: ortReconstructor(session),
      release: () => session.release(),
    });
  }

  // Detect on the scan bytes: the whole pipeline. The pixel threshold is the map's 99.5th
  // percentile in neurad's first run, so the mask and lesions are not empty.
  const detectOnce = async (r: Runtime, threshold?: number) => {
    const out = await detectVolume(run, scanBytes, scanName, null, {
      reconstruct: r.reconstruct,
      threshold,
    });
    if (!out.anomaly) throw new Error(`${r.name}: detect made no map: ${out.result.warnings}`);
    return out;
  };
  // Eval's per-volume work on a preprocessed stack.
  const vol = parseNifti(scanBytes, scanName, true, true);
  const { pre } = preprocessForRun(vol, config.data.preprocess, undefined);
  if (!pre) throw new Error("Colin27 did not preprocess");
  const [W, H, Z] = pre.image.dims;
  const post = fromStoredPostprocess(undefined);
  const ids = new Array<string>(Z).fill("colin27");
  const evalOnce = async (r: Runtime) => {
    const rec = await r.reconstruct(pre.image.data, [Z, 1, H, W], { residual: post.residual });
    return postprocessStack(rec.residuals, pre.brainMask, ids, H, W, post.stack).maps;
  };

  // Check before timing: maps within 1e-3 of neurad's largest value, the same lesions.
  const first = await detectOnce(runtimes[0]);
  const ref = parseNifti(first.anomaly!, "neurad.nii.gz", true, true).data;
  let top = 0;
  const sorted = Float32Array.from(ref).filter((v) => v > 0).sort();
  const threshold = sorted[Math.floor(0.995 * sorted.length)];
  for (const v of ref) top = Math.max(top, Math.abs(v));
  const refMasked = await detectOnce(runtimes[0], threshold);
  const refEval = await evalOnce(runtimes[0]);
  for (const r of runtimes.slice(1)) {
    const o = await detectOnce(r, threshold);
    const m = parseNifti(o.anomaly!, `${r.name}.nii.gz`, true, true).data;
    let d = 0;
    for (let i = 0; i < m.length; i++) d = Math.max(d, Math.abs(m[i] - ref[i]));
    const e = await evalOnce(r);
    let de = 0;
    for (let i = 0; i < e.length; i++) de = Math.max(de, Math.abs(e[i] - refEval[i]));
    const lesions = (x: typeof o) => x.result.lesions.map((l) => l.voxels).join(",");
    log(
      `  ${c.label}: ${r.name} vs neurad: detect map max |Δ| ${d.toExponential(1)}, eval maps ` +
        `${de.toExponential(1)} (max map ${top.toExponential(2)}), lesions ` +
        `${lesions(o) === lesions(refMasked) ? "equal" : "DIFFER"} (${o.result.lesions.length})`,
    );
    if (!(d <= 1e-3 * top) || !(de <= 1e-3 * top) || lesions(o) !== lesions(refMasked)) {
      throw new Error(`${c.label}: ${r.name}'s results differ from neurad's: not timed`);
    }
  }

  // Alternating rounds (one warm-up each was the check above).
  const times: Record<string, { detect: number[]; eval: number[] }> = {};
  for (const r of runtimes) times[r.name] = { detect: [], eval: [] };
  for (let i = 0; i < rounds; i++) {
    for (const r of runtimes) {
      let t0 = performance.now();
      await detectOnce(r, threshold);
      times[r.name].detect.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      await evalOnce(r);
      times[r.name].eval.push((performance.now() - t0) / 1000);
    }
  }
  const ours = times.neurad;
  for (const what of ["detect", "eval"] as const) {
    const n = median(ours[what]);
    const peers = runtimes.slice(1).map((r) => {
      const p = median(times[r.name][what]);
      return `${r.name} ${p.toFixed(2)} s (${(1 / p).toFixed(3)} vol/s), ${r.name}/neurad ` +
        `**${(p / n).toFixed(2)}**`;
    });
    const row = `| ${c.label} | ${what} (${Z} slices of ${H}×${W}) | ${n.toFixed(2)} s ` +
      `(${(1 / n).toFixed(3)} vol/s) | ${peers.join(" | ")} |`;
    rows.push(row);
    log(row);
  }
  for (const r of runtimes) await r.release();
  model.dispose();
}
log(`\nload ${loadAvg()} at the end\n`);
log(
  `| model | pipeline | neurad | ${
    ["ORT WebGPU", ...(withWasm ? ["ORT wasm"] : [])].join(" | ")
  } |`,
);
log(`| --- | --- | --- | ${withWasm ? "--- | ---" : "---"} |`);
for (const r of rows) log(r);
