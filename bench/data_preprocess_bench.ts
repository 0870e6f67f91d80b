/**
 * Data-layer benchmarks on the shipped Colin27 T1 (RAS, 181×217×181 after placing it in its grid):
 * reading a .nii.gz, the full preprocessing pipeline, and its heaviest step (curvature flow on
 * the 140×190×158 crop: 5 iterations × 4.2 M voxels × ~45 flops where the gradient is non-zero;
 * flat background voxels are skipped, so brain size, not grid size, sets the cost).
 */
import { cropPad, curvatureFlow, preprocessVolume, readNifti } from "../src/data/mod.ts";
import { COLIN27_PATH, COLIN_GRID, loadColin27 } from "../src/data/demo/colin27_template.ts";
import { uncropPad } from "../src/data/preprocess/crop_pad.ts";

const t = await loadColin27();
const full = uncropPad({ data: t.data, dims: t.dims }, COLIN_GRID.dims, t.offset);
const scan = {
  data: full.data,
  dims: [...COLIN_GRID.dims],
  pixdim: [1, 1, 1],
  affine: COLIN_GRID.affine,
};
const crop = cropPad(full, [140, 190, 158], [20, 14, 1]);

Deno.bench({
  group: "data",
  name: "readNifti(Colin27 .nii.gz, canonical)",
  async fn() {
    await readNifti(COLIN27_PATH, { canonical: true });
  },
});

Deno.bench({
  group: "data",
  name: "preprocessVolume(181×217×181 → 70×95×79)",
  baseline: true,
  fn() {
    preprocessVolume(scan);
  },
});

Deno.bench({
  group: "data",
  name: "curvatureFlow(140×190×158, 5 it)",
  fn() {
    curvatureFlow(crop, { iterations: 5 });
  },
});
