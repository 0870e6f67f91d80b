// Detection on one scan held in memory, bytes in and bytes out: the scan's NIfTI bytes are
// checked (src/detect/input_checks.ts), brought to the run's training voxel size or refused
// (src/detect/scan_spacing.ts), preprocessed exactly as the run's config says, every axial slice
// is reconstructed on the GPU, the residual is post-processed as eval did (RUN/thresholds.json:
// erosion planes and iterations, median filter size and dimension;
// src/eval/postprocess/postprocess_stack.ts), and the map goes back onto the scan's grid, affine
// and sform/qform codes (any orientation, NIfTI-1 or -2). It returns the bytes of
// NAME_anomaly.nii.gz (float32), NAME_mask.nii.gz (uint8), NAME_overlay.png
// (src/detect/overlay_png.ts) and the text of NAME.json: volume score, the verdict from the volume
// score and the largest lesion component together (src/detect/verdict.ts) and its basis, lesion
// components in mm³ and scanner coordinates, voxel size, warnings. Input that is not a
// skull-stripped 3D T1 brain is flagged ("unreliable") or refused, never silently scored. No file
// system here (no Deno.*, no node:fs), so it runs in a browser Worker as well;
// src/detect/detect_scan.ts is the thin file wrapper the CLI uses. Reference: docs/detect.md.

import { basename, join } from "node:path";
import { parseNifti } from "../data/nifti/read_nifti.ts";
import { encodeNiftiFile } from "../data/nifti/write_nifti.ts";
import type { Volume } from "../data/nifti/volume.ts";
import { voxelVolume } from "../data/nifti/affine.ts";
import {
  type PreprocessedVolume,
  type PreprocessOptions,
  preprocessVolume,
  resolvePreprocessOptions,
  restoreToScanGeometry,
} from "../data/preprocess/preprocess_volume.ts";
import { affineSpacing, resampleToSpacing } from "../data/preprocess/resample_spacing.ts";
import { labelComponents3d } from "../eval/postprocess/connected_components.ts";
import { reconstructStack, type StackReconstructor } from "../eval/scoring/reconstruct.ts";
import { postprocessStack } from "../eval/postprocess/postprocess_stack.ts";
import {
  fromStoredPostprocess,
  type StoredDataSpacing,
  type StoredThresholds,
  type VolumeThresholdInfo,
  volumeThresholdInfo,
} from "../eval/stored_thresholds.ts";
import type { OpenedRun } from "../train/open_run.ts";
import type { ProgressBar } from "../util/progress.ts";
import { planSpacing, type SpacingPlan } from "./scan_spacing.ts";
import { contrastProblem, inputProblems } from "./input_checks.ts";
import { decideVerdict, type VerdictBasis } from "./verdict.ts";
import { overlayPng } from "./overlay_png.ts";

export interface DetectResult {
  scan: string;
  /** Where each output went (file names, under `outDir` when one was given). */
  outputs: Record<string, string>;
  volumeScore: number | null;
  /** "unreliable": scored, but the input does not look like a skull-stripped T1 brain or its
   * score is far outside the healthy validation range (see warnings). */
  verdict: "anomalous" | "healthy" | "unknown" | "not scored" | "unreliable";
  /** Why the verdict is what it is: volume score and largest component against their thresholds
   * (src/detect/verdict.ts); absent without thresholds or when not scored. */
  verdictBasis?: VerdictBasis;
  /** The verdict's volume-score threshold and its calibration (null without thresholds). */
  volumeThreshold: VolumeThresholdInfo | null;
  /** The pixel threshold of the mask. */
  threshold: number | null;
  lesions: { voxels: number; volumeMm3: number; centroidWorld: [number, number, number] }[];
  warnings: string[];
  /** The scan's voxel size against the training scans', and whether it was resampled. */
  spacing?: SpacingPlan;
}

/** Options of {@link detectVolume}. */
export interface DetectVolumeOptions {
  /** Pixel threshold instead of the stored one. */
  threshold?: number;
  /** Called after each batch of reconstructed slices. */
  onProgress?: (done: number, total: number) => void;
  /** Aborts between batches (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Folder the outputs will be written to: `result.outputs` and the JSON name files in it. */
  outDir?: string;
  /**
   * The model's runtime: reconstructStack with the run's model unless given (the peers bench
   * runs this same pipeline with onnxruntime-web's session of the exported model).
   */
  reconstruct?: StackReconstructor;
}

/** What {@link detectVolume} produces; null where an output is not made (not scored, no mask). */
export interface DetectVolumeOutput {
  result: DetectResult;
  /** NAME_anomaly.nii.gz bytes. */
  anomaly: Uint8Array | null;
  /** NAME_mask.nii.gz bytes (null without a pixel threshold). */
  mask: Uint8Array | null;
  /** NAME_overlay.png bytes. */
  overlayPng: Uint8Array | null;
  /** The text of NAME.json. */
  json: string;
}

/** The name outputs are called after: the scan's file name without .nii/.nii.gz. */
export const scanBaseName = (p: string) => basename(p).replace(/\.nii(\.gz)?$/i, "");

/** The output file names of a scan called `name` (see {@link scanBaseName}). */
export function outputNames(name: string) {
  return {
    anomaly: `${name}_anomaly.nii.gz`,
    mask: `${name}_mask.nii.gz`,
    overlay: `${name}_overlay.png`,
    json: `${name}.json`,
  };
}

/**
 * The model's input for a canonical scan: resampled to the training scans' voxel size when it
 * differs (the model learnt anatomy at that scale), then preprocessed as the run's config says;
 * `pre` is null when the voxel size is refused (`plan.reason` says why).
 */
export function preprocessForRun(
  vol: Volume,
  preprocess: Record<string, unknown>,
  dataSpacing?: StoredDataSpacing,
): { plan: SpacingPlan; pre: PreprocessedVolume | null } {
  const plan = planSpacing(affineSpacing(vol.affine), preprocess, dataSpacing);
  if (plan.action === "refused") return { plan, pre: null };
  const input = plan.action === "resampled" ? resampleToSpacing(vol, plan.training) : vol;
  const pre = preprocessVolume(input, null, preprocess as PreprocessOptions);
  if (input !== vol) {
    pre.geometry.resampledFrom = { dims: vol.dims.slice(0, 3), affine: vol.affine };
  }
  return { plan, pre };
}

function abortIfAsked(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException("detect aborted", "AbortError");
}

/**
 * Runs detection on the NIfTI bytes of one scan (`fileName` names it in the JSON and in errors)
 * and returns every output as bytes. No file system: the caller writes them.
 */
export async function detectVolume(
  run: OpenedRun,
  scanBytes: Uint8Array,
  fileName: string,
  thresholds: StoredThresholds | null,
  opts: DetectVolumeOptions = {},
): Promise<DetectVolumeOutput> {
  const { signal } = opts;
  abortIfAsked(signal);
  const name = scanBaseName(fileName);
  const files = outputNames(name);
  const at = (f: string) => (opts.outDir === undefined ? f : join(opts.outDir, f));
  const res: DetectResult = {
    scan: fileName,
    outputs: {},
    volumeScore: null,
    verdict: "not scored",
    volumeThreshold: thresholds?.volumeScore ? volumeThresholdInfo(thresholds.volumeScore) : null,
    threshold: opts.threshold ?? thresholds?.threshold ?? null,
    lesions: [],
    warnings: [],
  };
  const done = (o: Omit<DetectVolumeOutput, "result" | "json">): DetectVolumeOutput => {
    res.outputs.json = at(files.json);
    return { result: res, ...o, json: JSON.stringify(res, null, 2) };
  };
  const vol = parseNifti(scanBytes, fileName, true, true);
  const bad = inputProblems(vol);
  res.warnings.push(...bad.suspect);
  if (bad.fatal.length) {
    res.warnings.push(...bad.fatal.map((s) => `not scored: ${s}`));
    return done({ anomaly: null, mask: null, overlayPng: null });
  }
  for (let i = 0; i < vol.data.length; i++) if (!Number.isFinite(vol.data[i])) vol.data[i] = 0;
  const { plan, pre } = preprocessForRun(
    vol,
    run.config.data.preprocess,
    thresholds?.dataSpacing,
  );
  res.spacing = plan;
  if (!pre) {
    res.warnings.push(`not scored: ${plan.reason}`);
    return done({ anomaly: null, mask: null, overlayPng: null });
  }
  const modelVoxel = plan.training.map((t) =>
    t / resolvePreprocessOptions(run.config.data.preprocess as PreprocessOptions).scale
  );
  const contrast = contrastProblem(pre, modelVoxel);
  if (contrast) {
    bad.suspect.push(contrast);
    res.warnings.push(contrast);
  }
  const [W, H, Z] = pre.image.dims, plane = H * W;
  const [C, mh, mw] = run.model.inputShape;
  if (mh !== H || mw !== W || C !== 1) {
    throw new Error(
      `${fileName}: the run's model takes ${C}×${mh}×${mw} slices, preprocessing gives 1×${H}×${W}`,
    );
  }
  abortIfAsked(signal);
  const post = fromStoredPostprocess(thresholds?.postprocess);
  // reconstructStack reports each finished batch here; an abort between batches stops it (the
  // batch's tensors are already released when it reports).
  const progress = {
    update(n: number) {
      opts.onProgress?.(n, Z);
      abortIfAsked(signal);
    },
  } as unknown as ProgressBar;
  const reconstruct: StackReconstructor = opts.reconstruct ??
    ((images, shape, o) => reconstructStack(run.model, images, shape, o));
  const r = await reconstruct(pre.image.data, [Z, 1, H, W], {
    residual: post.residual,
    progress,
  });
  const ids = new Array<string>(Z).fill(name);
  const { maps: map } = postprocessStack(r.residuals, pre.brainMask, ids, H, W, post.stack);
  // Volume score: mean reconstruction error over slices with at least 1 % brain (as eval).
  let sum = 0, count = 0;
  for (let z = 0; z < Z; z++) {
    let b = 0;
    for (let p = 0; p < plane; p++) b += pre.brainMask[z * plane + p];
    if (b > 0 && b >= 0.01 * plane) {
      sum += r.sliceErrors[z];
      count++;
    }
  }
  if (count === 0) {
    res.warnings.push("not scored: no axial slice holds 1 % brain after preprocessing");
    return done({ anomaly: null, mask: null, overlayPng: null });
  }
  res.volumeScore = sum / count;
  // Back onto the scan's own grid and affine.
  const restoredMap = restoreToScanGeometry(map, pre.geometry);
  const anomaly = encodeNiftiFile(
    restoredMap,
    { description: "neurad anomaly map" },
    files.anomaly,
  );
  res.outputs.anomaly = at(files.anomaly);
  const t = res.threshold;
  let maskPre: Uint8Array | null = null;
  let maskBytes: Uint8Array | null = null;
  if (t !== null) {
    maskPre = above(map, t);
    const restored = restoreToScanGeometry(new Float32Array(maskPre), pre.geometry);
    const mask = above(restored.data, 0.5, true);
    maskBytes = encodeNiftiFile({ ...restored, data: new Float32Array(mask) }, {
      datatype: "uint8",
      description: "neurad anomaly mask",
    }, files.mask);
    res.outputs.mask = at(files.mask);
    res.lesions = components(mask, restored);
  }
  // The verdict: volume score and lesion components together (src/detect/verdict.ts).
  const vs = thresholds?.volumeScore;
  if (vs) {
    const largest = t === null ? null : res.lesions[0]?.volumeMm3 ?? 0;
    const v = decideVerdict(res.volumeScore, largest, t, thresholds!);
    res.verdict = v.verdict;
    res.verdictBasis = v.basis;
    res.warnings.push(...v.warnings);
    const info = res.volumeThreshold!;
    if (info.rule === "healthy-maximum") {
      res.warnings.push(`verdict against ${info.note}`);
    } else if ((info.calibrationVolumes ?? 0) < 3) {
      res.warnings.push(
        `verdict against a volume threshold calibrated on ${info.calibrationVolumes ?? "?"} ` +
          "healthy validation volume(s): too few for a false-positive rate",
      );
    }
    if (res.volumeScore > 3 * vs.healthyMax) {
      bad.suspect.push("score");
      res.warnings.push(
        `volume score ${res.volumeScore.toFixed(4)} is far outside the healthy validation range ` +
          `(max ${vs.healthyMax.toFixed(4)}): not a comparable skull-stripped T1 scan?`,
      );
    }
  } else {
    res.verdict = "unknown";
    res.warnings.push(
      `no thresholds: run 'neurad eval --run ${run.dir}' first (or pass --threshold) for a verdict ` +
        "and a mask",
    );
  }
  if (bad.suspect.length && res.verdict !== "unknown") res.verdict = "unreliable";
  const overlay = overlayPng(pre.image.data, map, maskPre, W, H, Z);
  res.outputs.overlay = at(files.overlay);
  return done({ anomaly, mask: maskBytes, overlayPng: overlay });
}

/** 1 where `v` is over `t` (or at it, `inclusive`), else 0 (a loop: TypedArray.from with a
 * callback is slow on large volumes). */
function above(v: Float32Array, t: number, inclusive = false): Uint8Array {
  const out = new Uint8Array(v.length);
  if (inclusive) { for (let i = 0; i < v.length; i++) out[i] = v[i] >= t ? 1 : 0; }
  else for (let i = 0; i < v.length; i++) out[i] = v[i] > t ? 1 : 0;
  return out;
}

/** Connected components (26-connected) of a mask on the scan grid, largest first. */
function components(mask: Uint8Array, v: Volume): DetectResult["lesions"] {
  const [X, Y, Z] = v.dims;
  const { labels, count } = labelComponents3d(mask, Z, Y, X, 26);
  const acc = Array.from({ length: count + 1 }, () => ({ n: 0, x: 0, y: 0, z: 0 }));
  for (let z = 0, i = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, i++) {
        const l = labels[i];
        if (l <= 0) continue;
        const a = acc[l];
        a.n++;
        a.x += x;
        a.y += y;
        a.z += z;
      }
    }
  }
  const A = v.affine, det = voxelVolume(A);
  return acc.filter((a) => a.n > 0).map((a) => {
    const [i, j, k] = [a.x / a.n, a.y / a.n, a.z / a.n];
    const w = [0, 1, 2].map((r) => A[r][0] * i + A[r][1] * j + A[r][2] * k + A[r][3]);
    return {
      voxels: a.n,
      volumeMm3: a.n * det,
      centroidWorld: w.map((c) => Math.round(c * 100) / 100) as [number, number, number],
    };
  }).sort((p, q) => q.voxels - p.voxels);
}
