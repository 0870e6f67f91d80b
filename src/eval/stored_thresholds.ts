// RUN/thresholds.json of a NIfTI run: what evaluation chose on the validation split and how it
// post-processed the residual, so that `neurad detect` scores a scan exactly as eval did. The
// record names post-processing options (src/eval/postprocess/postprocess_stack.ts), not a study's
// mode, so detect imports no protocol. Files written before `median` and `erosionPlanes` existed
// carry only `faithful` and are read through it.

import type { StackPostprocessOptions } from "./postprocess/postprocess_stack.ts";
import type { ResidualKind } from "./scoring/reconstruct.ts";

/** The post-processing eval applied, as stored. */
export interface StoredPostprocess {
  medianFilter: number;
  erode: number;
  residual: ResidualKind;
  median?: StackPostprocessOptions["median"];
  erosionPlanes?: StackPostprocessOptions["erosionPlanes"];
  /** 3D median and sagittal erosion (the first study's code); the only mode field of older files,
   * still written so that older readers apply the same post-processing. */
  faithful?: boolean;
}

/** What `neurad detect` needs to score a scan like eval did (RUN/thresholds.json). */
export interface StoredThresholds {
  /** The protocol that chose the thresholds, e.g. "reddipalli22". */
  protocol: string;
  /** Pixel threshold on the post-processed map. */
  threshold: number;
  /** Volume-score threshold and the healthy validation subjects' range. */
  volumeScore: { threshold: number; healthyMean: number; healthyStd: number; healthyMax: number };
  postprocess: StoredPostprocess;
  createdBy: string;
  checkpoint: string;
}

/** Post-processing without thresholds (no eval yet): 9×9 median per slice, 5 axial erosions. */
export const DEFAULT_STACK_POSTPROCESS: Readonly<StackPostprocessOptions> = {
  medianFilter: 9,
  median: "2d",
  erode: 5,
  erosionPlanes: "axial",
};

/** The stored record of `stack` post-processing on a `residual` (with `faithful` for old readers). */
export function toStoredPostprocess(
  stack: StackPostprocessOptions,
  residual: ResidualKind,
): StoredPostprocess {
  return {
    medianFilter: stack.medianFilter,
    erode: stack.erode,
    residual,
    median: stack.median,
    erosionPlanes: stack.erosionPlanes,
    faithful: stack.median === "3d" && stack.erosionPlanes === "sagittal",
  };
}

/** The residual kind and stack options a stored record (any version, or none) stands for. */
export function fromStoredPostprocess(
  p: Partial<StoredPostprocess> | undefined,
): { residual: ResidualKind; stack: StackPostprocessOptions } {
  const d = DEFAULT_STACK_POSTPROCESS, faithful = p?.faithful === true;
  return {
    residual: p?.residual ?? "absolute",
    stack: {
      medianFilter: p?.medianFilter ?? d.medianFilter,
      median: p?.median ?? (faithful ? "3d" : d.median),
      erode: p?.erode ?? d.erode,
      erosionPlanes: p?.erosionPlanes ?? (faithful ? "sagittal" : d.erosionPlanes),
    },
  };
}
