// Lesion sizes in physical units for the per-subject rows: a voxel of the preprocessed grid is the
// scan's voxel (|det| of its affine's 3×3 part, mm³) enlarged by the crop-to-grid resize on each
// axis (cropSize / outDims: 2 per axis at the first study's scale 0.5, so 8 scan voxels), and a
// lesion's volume is its voxel count times that, in cm³ (mL).

import type { ScanGeometry } from "../../data/preprocess/preprocess_volume.ts";
import type { SubjectRow } from "../../report/eval_result.ts";

/** The volume of one preprocessed-grid voxel, mm³. */
export function gridVoxelMm3(g: Pick<ScanGeometry, "scanAffine" | "cropSize" | "outDims">): number {
  const [a, b, c] = g.scanAffine;
  const det = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0]);
  let zoom = 1;
  for (let i = 0; i < 3; i++) zoom *= g.cropSize[i] / g.outDims[i];
  return Math.abs(det) * zoom;
}

/** Adds `lesionCm3` (the evaluated lesion voxels in cm³) to every row with `lesionVoxels` whose
 * subject's geometry is known. */
export function addLesionVolumes(
  subjects: { id: string; geometry: Pick<ScanGeometry, "scanAffine" | "cropSize" | "outDims"> }[],
  rows: SubjectRow[],
): void {
  const known = (g: Partial<ScanGeometry> | undefined) => g?.scanAffine && g.cropSize && g.outDims;
  const mm3 = new Map(
    subjects.map((s) => [s.id, known(s.geometry) ? gridVoxelMm3(s.geometry) : NaN]),
  );
  for (const row of rows) {
    const v = mm3.get(row.subject);
    if (row.lesionVoxels === undefined || v === undefined || !Number.isFinite(v)) continue;
    row.lesionCm3 = Number(((row.lesionVoxels * v) / 1000).toPrecision(6));
  }
}
