/**
 * The lesion voxels of a scan's own mask (labels > 0, first frame), before any preprocessing:
 * loadSlices asks for it only when a subject's mask comes out of preprocessing and slice
 * selection empty, so that evaluation can say whether the lesion vanished there (cropping,
 * resizing to the model's grid, slices dropped) or the mask was empty to begin with.
 * @module
 */
import { readNifti } from "./nifti/read_nifti.ts";

/** Voxels with a label > 0 in the mask file at `path` (its first frame). */
export async function scanLesionVoxels(path: string): Promise<number> {
  const v = await readNifti(path);
  const n3 = v.dims[0] * v.dims[1] * v.dims[2];
  let n = 0;
  for (let i = 0; i < n3; i++) if (v.data[i] > 0) n++;
  return n;
}
