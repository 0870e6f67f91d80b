// Lesion volumes in the per-subject rows: a preprocessed-grid voxel is the scan's voxel (|det| of
// its affine) times the crop-to-grid zoom per axis; rows get cm³ from their lesion voxels, and the
// report's per-subject table shows them.

import { ok as assert, strictEqual } from "node:assert";
import { addLesionVolumes, gridVoxelMm3 } from "../../src/eval/protocols/lesion_volume.ts";
import type { EvalResult, SubjectRow } from "../../src/report/eval_result.ts";
import { buildReport } from "../../src/report/write_report.ts";

const iso1 = [[1, 0, 0, -90], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1]];

Deno.test("gridVoxelMm3: scan voxel volume times the resize zoom on each axis", () => {
  // The first study's grid: 1 mm scans, crop 158×190×140 → 79×95×70: 2 mm voxels, 8 mm³.
  strictEqual(
    gridVoxelMm3({ scanAffine: iso1, cropSize: [158, 190, 140], outDims: [79, 95, 70] }),
    8,
  );
  // A flipped, rotated 0.9 × 1.1 × 1.2 mm grid at zoom 1: |det| = 1.188 mm³.
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const rot = [[-0.9 * c, -1.1 * s, 0, 0], [0.9 * s, -1.1 * c, 0, 0], [0, 0, 1.2, 0], [0, 0, 0, 1]];
  const v = gridVoxelMm3({ scanAffine: rot, cropSize: [10, 10, 10], outDims: [10, 10, 10] });
  assert(Math.abs(v - 0.9 * 1.1 * 1.2) < 1e-12, String(v));
});

Deno.test("addLesionVolumes: cm³ per row with lesion voxels and a known geometry", async () => {
  const rows: SubjectRow[] = [
    { subject: "a", dataset: "brats", label: 1, score: 0.1, lesionVoxels: 125 },
    { subject: "b", dataset: "brats", label: 1, score: 0.1, lesionVoxels: 10 },
    { subject: "h", dataset: "healthy", label: 0, score: 0.1 },
  ];
  const geometry = { scanAffine: iso1, cropSize: [158, 190, 140], outDims: [79, 95, 70] };
  addLesionVolumes([{ id: "a", geometry }, { id: "h", geometry }, {
    id: "b",
    geometry: {} as typeof geometry,
  }], rows);
  strictEqual(rows[0].lesionCm3, 1, "125 voxels of 8 mm³");
  strictEqual(rows[1].lesionCm3, undefined, "no geometry: no volume");
  strictEqual(rows[2].lesionCm3, undefined, "no lesion count: no volume");
  const r = {
    run: "/r",
    checkpoint: "best",
    preset: "demo",
    mode: "corrected",
    model: { name: "reddipalli22-vae", options: {}, parameters: 1 },
    protocol: "reddipalli22",
    settings: {},
    rankings: [],
    dice: [],
    fprThresholds: [],
    lesionDetection: [],
    classification: [],
    panels: [],
    perSubject: rows,
    timing: { seconds: 1, itemsPerSecond: 1 },
    versions: { neurad: "0", deno: "2", adapter: "test" },
    config: {},
  } as EvalResult;
  const html = await buildReport(r, []);
  assert(html.includes("<th>lesion volume (cm³)</th>"), "column");
  assert(/<td>a<\/td>.*?<td>125<\/td><td>1\.000<\/td>/.test(html), "a's row: voxels, cm³");
});
