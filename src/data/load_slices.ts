/**
 * loadSlices: the one call the training and evaluation CLIs make. Finds the subjects (any
 * layout), splits them by subject with a saved/verified manifest, preprocesses each scan (or
 * takes it from the cache) and stacks the axial slices of the requested split.
 * @module
 */
import { dirname, join } from "node:path";
import { DataError } from "./data_error.ts";
import { findSubjects, pairSubjects } from "./layouts/find_subjects.ts";
import type { LayoutName, Subject } from "./layouts/subject.ts";
import { readNifti } from "./nifti/read_nifti.ts";
import { checkSameGrid } from "./nifti/volume.ts";
import { axialSlices } from "./preprocess/axial_slices.ts";
import {
  type PreprocessedVolume,
  type PreprocessOptions,
  preprocessVolume,
  resolvePreprocessOptions,
  type ScanGeometry,
} from "./preprocess/preprocess_volume.ts";
import { rescaledDims } from "./preprocess/rescale.ts";
import { ProgressBar } from "../util/progress.ts";
import { sha256Hex } from "./sha256.ts";
import { scanLesionVoxels } from "./scan_lesion_voxels.ts";
import { cacheKey, readCached, writeCached } from "./slice_cache.ts";
import {
  buildManifest,
  type Manifest,
  type ManifestEntry,
  readManifest,
  type SplitName,
  verifyManifest,
  writeManifest,
} from "./splits.ts";

/** Options of {@link loadSlices}. */
export interface LoadSlicesOptions {
  /** Which split to return ("all" for every subject). */
  split: SplitName | "all";
  /** Restrict to healthy or pathological subjects (default: both). */
  cohort?: "healthy" | "pathological" | "all";
  /** Force a layout instead of auto-detecting every layout under the folder. */
  layout?: Exclude<LayoutName, "images2d">;
  /** Generic pairs: images folder is `source`, masks folder is this. */
  masksDir?: string;
  /** Split seed (default 0). */
  seed?: number;
  preprocess?: PreprocessOptions;
  /** Where preprocessed volumes (and, by default, the manifest) are cached. */
  cacheDir?: string;
  /** Split manifest: read and verified if it exists, written otherwise. */
  manifestPath?: string;
  /** Skip slices whose brain covers less than this fraction (default 0.01). */
  minBrainFraction?: number;
  /** No progress lines on stderr. */
  quiet?: boolean;
}

/** Stacked axial slices: images [N, H, W] (x fastest within a row), masks likewise. */
export interface SliceSet {
  images: Float32Array;
  brainMasks: Uint8Array;
  lesionMasks: Uint8Array;
  /** Subject of each slice, and its z index in the preprocessed volume. */
  subjectIds: string[];
  sliceIndex: number[];
  /** H = y (posterior→anterior), W = x (left→right) of the preprocessed grid: 95×79 by default. */
  H: number;
  W: number;
  N: number;
  /** Per subject: where its volume came from, to map results back (restoreToScanGeometry), and,
   * when its mask has no lesion voxel left in the kept slices, the scan's own count of them. */
  subjects: (ManifestEntry & { geometry: ScanGeometry; lesionVoxelsInScan?: number })[];
  manifest: Manifest;
}

/** Loads the axial slices of one split of the dataset at `source`. */
export async function loadSlices(source: string, options: LoadSlicesOptions): Promise<SliceSet> {
  const seed = options.seed ?? 0;
  const manifest = await _manifestFor(source, options, seed);
  const cohort = options.cohort ?? "all";
  const chosen = manifest.subjects.filter((s) =>
    (options.split === "all" || s.split === options.split) &&
    (cohort === "all" || (cohort === "pathological") === s.pathological)
  );
  const settings = resolvePreprocessOptions(options.preprocess);
  const progress = new ProgressBar(`preprocess ${options.split}`, chosen.length, {
    quiet: options.quiet,
  });
  const stacks = [];
  const subjects: SliceSet["subjects"] = [];
  for (const [i, s] of chosen.entries()) {
    const vol = await _preprocessed(s, settings, options.cacheDir);
    const st = axialSlices(vol, options.minBrainFraction);
    stacks.push({ id: s.id, st });
    // A lesion gone after preprocessing: say how many voxels the scan's mask had (eval warns).
    const gone = s.mask && !st.lesionMasks.includes(1);
    const inScan = gone ? { lesionVoxelsInScan: await scanLesionVoxels(s.mask!) } : {};
    subjects.push({ ...s, geometry: vol.geometry, ...inScan });
    progress.update(i + 1, s.id);
  }
  const [W, H] = rescaledDims(settings.cropSize, settings.scale);
  const N = stacks.reduce((n, s) => n + s.st.sliceIndex.length, 0);
  const images = new Float32Array(N * H * W);
  const brainMasks = new Uint8Array(N * H * W);
  const lesionMasks = new Uint8Array(N * H * W);
  const subjectIds: string[] = [];
  const sliceIndex: number[] = [];
  let o = 0;
  for (const { id, st } of stacks) {
    images.set(st.images, o);
    brainMasks.set(st.brainMasks, o);
    lesionMasks.set(st.lesionMasks, o);
    o += st.images.length;
    for (const z of st.sliceIndex) {
      subjectIds.push(id);
      sliceIndex.push(z);
    }
  }
  return { images, brainMasks, lesionMasks, subjectIds, sliceIndex, H, W, N, subjects, manifest };
}

async function _manifestFor(source: string, o: LoadSlicesOptions, seed: number): Promise<Manifest> {
  const path = o.manifestPath ??
    (o.cacheDir
      ? join(
        o.cacheDir,
        `manifest-${
          (await sha256Hex(`${Deno.realPathSync(source)}|${o.masksDir ?? ""}|${o.layout ?? ""}`))
            .slice(0, 16)
        }-seed${seed}.json`,
      )
      : undefined);
  if (path) {
    const exists = await Deno.stat(path).then(() => true, () => false);
    if (exists) {
      const m = await readManifest(path);
      if (m.seed !== seed) {
        throw new DataError(path, `manifest seed ${m.seed} differs from --seed ${seed}`);
      }
      await verifyManifest(m);
      return m;
    }
  }
  const subjects: Subject[] = o.masksDir
    ? await pairSubjects(source, o.masksDir)
    : await findSubjects(source, o.layout);
  if (subjects.length === 0) throw new DataError(source, "no subjects found");
  const m = await buildManifest(subjects, seed);
  if (path) {
    await Deno.mkdir(dirname(path), { recursive: true });
    await writeManifest(path, m);
  }
  return m;
}

async function _preprocessed(
  s: ManifestEntry,
  settings: Required<PreprocessOptions>,
  cacheDir?: string,
): Promise<PreprocessedVolume> {
  const key = cacheDir ? await cacheKey(s.sha256, settings) : "";
  if (cacheDir) {
    const hit = await readCached(cacheDir, key);
    if (hit) return hit;
  }
  const scan = await readNifti(s.image, { canonical: true });
  let lesion = null;
  if (s.mask) {
    lesion = await readNifti(s.mask, { canonical: true });
    checkSameGrid(scan, lesion, s.mask);
  }
  const vol = preprocessVolume(scan, lesion, settings);
  if (cacheDir) await writeCached(cacheDir, key, vol);
  return vol;
}
