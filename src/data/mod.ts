/**
 * neurad's data layer: NIfTI in and out, dataset layouts, the preprocessing pipeline, subject
 * splits with a verifiable manifest, a preprocessed-slice cache and the embedded demo cohort.
 *
 * @example
 * ```ts
 * import { loadSlices, readNifti, writeNifti } from "./mod.ts";
 * const t1 = await readNifti("sub-01_T1w.nii.gz", { canonical: true });
 * const train = await loadSlices("data/demo", { split: "train", cacheDir: ".cache/neurad" });
 * ```
 * @module
 */
export { DataError } from "./data_error.ts";
export type { Affine } from "./nifti/affine.ts";
export { invertAffine, matmul4 } from "./nifti/affine.ts";
export { checkSameGrid, type Volume } from "./nifti/volume.ts";
export { readNifti, type ReadNiftiOptions } from "./nifti/read_nifti.ts";
export { encodeNifti, writeNifti, type WriteNiftiOptions } from "./nifti/write_nifti.ts";
export {
  ioOrientation,
  type Orientation,
  orientationCode,
  reorientFromCanonical,
} from "./nifti/orientation.ts";
