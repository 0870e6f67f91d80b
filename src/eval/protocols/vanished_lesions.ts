// Positive samples without a lesion to find: a test subject of a pathology dataset whose lesion
// mask has no voxel in what the pixel metrics see (the preprocessed, cropped, resized volume's
// kept slices, inside the eroded brain). The first study's protocol labels volumes by dataset
// (Reddipalli 2022), so such a subject still counts as a positive sample in the sample-wise
// ranking while adding no lesion pixel and no DICE_S row (and no lesion slice, unless some voxels
// survive preprocessing outside the eroded brain: slices are labelled from the uneroded mask).
// That is kept (the label is the dataset's), but never silently: one warning per subject, in the eval output,
// eval.json and the report, saying where the lesion went and what the protocol does with it.

import type { SubjectRow } from "../../report/eval_result.ts";

/** The part of a loaded split this check reads (a SliceSet). */
export interface LoadedLesions {
  subjects: {
    id: string;
    /** Set by loadSlices when no lesion voxel is left in the kept slices. */
    lesionVoxelsInScan?: number;
  }[];
  /** Preprocessed lesion masks of the kept slices [N, H, W] and each slice's subject. */
  lesionMasks: Uint8Array;
  subjectIds: string[];
  H: number;
  W: number;
}

/** What the first study's protocol does with a positive sample that has no lesion voxel. */
export const VANISHED_LESION_HANDLING = "still counted as a positive sample in the sample-wise " +
  "ranking (its dataset is pathological)";

/** The rest of it: slice labels come from the preprocessed mask before erosion. */
const handling = (keptVoxels: number) =>
  `${VANISHED_LESION_HANDLING}; ${
    keptVoxels > 0
      ? "the slices holding its kept voxels count as lesion slices, but it adds no lesion pixel"
      : "it adds no lesion slice or pixel"
  }, and DICE_S leaves it out`;

/**
 * One warning per pathological test subject with no lesion voxel evaluated; adds the scan's own
 * lesion voxel count to its row (`lesionVoxelsInScan`) where loadSlices measured it.
 */
export function vanishedLesionWarnings(set: LoadedLesions, rows: SubjectRow[]): string[] {
  const inScan = new Map(set.subjects.map((s) => [s.id, s.lesionVoxelsInScan]));
  const plane = set.H * set.W, kept = new Map<string, number>();
  set.subjectIds.forEach((id, s) => {
    let n = 0;
    for (let p = s * plane; p < (s + 1) * plane; p++) n += set.lesionMasks[p] ? 1 : 0;
    kept.set(id, (kept.get(id) ?? 0) + n);
  });
  const out: string[] = [];
  for (const row of rows) {
    if (row.label !== 1 || (row.lesionVoxels ?? 0) > 0) continue;
    const n = inScan.get(row.subject);
    if (n !== undefined) row.lesionVoxelsInScan = n;
    const where = n === undefined
      ? `its lesion keeps ${kept.get(row.subject) ?? 0} voxels after preprocessing, all ` +
        "outside the eroded brain the pixel metrics use"
      : n > 0
      ? `its lesion mask has ${n} voxels in the scan and none after preprocessing (cropping, ` +
        "resizing to the model's grid, slices kept)"
      : "its lesion mask is empty in the scan";
    const k = n === undefined ? kept.get(row.subject) ?? 0 : 0;
    out.push(`${row.dataset} test subject ${row.subject}: ${where}; ${handling(k)}`);
  }
  return out;
}
