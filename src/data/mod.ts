/**
 * neurad's data layer: NIfTI in and out, dataset layouts, the preprocessing pipeline, subject
 * splits with a verifiable manifest, a preprocessed-slice cache and the embedded demo cohort.
 *
 * @example
 * ```ts
 * import { loadSlices, readNifti, userCacheDir, writeNifti } from "./mod.ts";
 * const t1 = await readNifti("sub-01_T1w.nii.gz", { canonical: true });
 * const train = await loadSlices("data/demo", { split: "train", cacheDir: userCacheDir() });
 * ```
 * @module
 */
export { DataError } from "./data_error.ts";
export { AUTO_CACHE_DIR, preprocessCacheDir, userCacheDir } from "./cache_dir.ts";
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
export { boundingBox, type Grid3, nonzeroMask } from "./preprocess/grid.ts";
export { centredOffset, cropPad, uncropPad } from "./preprocess/crop_pad.ts";
export { clipInPlace, percentiles } from "./preprocess/percentile.ts";
export { gaussianBlur, rescaledDims, rescaleGrid, resizeGrid } from "./preprocess/rescale.ts";
export { curvatureFlow, type CurvatureFlowOptions } from "./preprocess/curvature_flow.ts";
export {
  anisotropicDiffusion,
  type AnisotropicDiffusionOptions,
} from "./preprocess/anisotropic_diffusion.ts";
export {
  type PreprocessedVolume,
  type PreprocessOptions,
  preprocessVolume,
  resolvePreprocessOptions,
  restoreToScanGeometry,
  type ScanGeometry,
} from "./preprocess/preprocess_volume.ts";
export { axialSlices, type SliceStack } from "./preprocess/axial_slices.ts";
export { Prng } from "../core/prng.ts";
export { sha256File, sha256Hex } from "./sha256.ts";
export type { LayoutName, Subject } from "./layouts/subject.ts";
export {
  detectLayout,
  detectLayouts,
  findSubjects,
  pairSubjects,
} from "./layouts/find_subjects.ts";
export {
  assignSplits,
  buildManifest,
  type Manifest,
  type ManifestEntry,
  readManifest,
  type SplitName,
  verifyManifest,
  writeManifest,
} from "./splits.ts";
export { loadSlices, type LoadSlicesOptions, type SliceSet } from "./load_slices.ts";
export { decodeImage, type GrayImage } from "./image2d/decode_image.ts";
export { resizeBilinear } from "./image2d/resize_bilinear.ts";
export { augment2D, type Augment2DOptions } from "./image2d/augment2d.ts";
export {
  HEALTHY_CLASS,
  type ImageSet2D,
  loadImages2D,
  type LoadImages2DOptions,
} from "./image2d/load_images2d.ts";
export {
  type DemoCohortOptions,
  type DemoCohortSummary,
  generateDemoCohort,
} from "./demo/demo_cohort.ts";
export { COLIN27_PATH, COLIN_GRID, loadColin27 } from "./demo/colin27_template.ts";
