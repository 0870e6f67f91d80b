// A lesion that vanishes in preprocessing is never a silent positive sample: loadSlices records
// the scan's own lesion voxel count for a subject whose mask comes out empty (a one-voxel lesion
// halved away by resizing; an empty mask), eval words one warning per such positive subject
// (where the lesion went, what the protocol does with it), and the warning reaches eval.json's
// result, the terminal lines and the report's notes beside the per-subject row.

import { deepStrictEqual, ok as assert, strictEqual } from "node:assert";
import { join } from "node:path";
import { loadSlices } from "../../src/data/load_slices.ts";
import { writeNifti } from "../../src/data/nifti/write_nifti.ts";
import type { Volume } from "../../src/data/nifti/volume.ts";
import {
  VANISHED_LESION_HANDLING,
  vanishedLesionWarnings,
} from "../../src/eval/protocols/vanished_lesions.ts";
import { resultLines } from "../../src/eval/run_eval.ts";
import { buildReport } from "../../src/report/write_report.ts";
import type { EvalResult, SubjectRow } from "../../src/report/eval_result.ts";
import { tempDir } from "../temp_dir.ts";

const D = [20, 24, 20];

function volume(fill: (x: number, y: number, z: number) => number): Volume {
  const data = new Float32Array(D[0] * D[1] * D[2]);
  for (let z = 0; z < D[2]; z++) {
    for (let y = 0; y < D[1]; y++) {
      for (let x = 0; x < D[0]; x++) data[x + D[0] * (y + D[1] * z)] = fill(x, y, z);
    }
  }
  const affine = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  return { data, dims: D, pixdim: [1, 1, 1], affine, sformCode: 2, qformCode: 2 } as Volume;
}

/** ATLAS layout: a box brain; lesion "box" (4³, survives halving), "voxel" (one voxel, halved
 * away) or "none" (an empty mask). */
async function atlasCohort(): Promise<string> {
  const dir = await tempDir();
  const brain = volume((x, y, z) =>
    x > 2 && x < 17 && y > 2 && y < 21 && z > 2 && z < 17 ? 100 + x + y + z : 0
  );
  const lesions: Record<string, (x: number, y: number, z: number) => number> = {
    box: (x, y, z) => (x >= 8 && x < 12 && y >= 8 && y < 12 && z >= 8 && z < 12 ? 1 : 0),
    voxel: (x, y, z) => (x === 9 && y === 9 && z === 9 ? 1 : 0),
    none: () => 0,
  };
  for (const [name, lesion] of Object.entries(lesions)) {
    const stem = `sub-${name}_ses-1_space-MNI152NLin2009aSym`;
    const anat = join(dir, `atlas/sub-${name}/ses-1/anat`);
    await Deno.mkdir(anat, { recursive: true });
    await writeNifti(join(anat, `${stem}_T1w.nii.gz`), brain);
    await writeNifti(join(anat, `${stem}_label-L_desc-T1lesion_mask.nii.gz`), volume(lesion), {
      datatype: "uint8",
    });
  }
  return dir;
}

Deno.test("loadSlices: the scan's lesion voxel count for a mask that preprocessing empties", async () => {
  const dir = await atlasCohort();
  const set = await loadSlices(dir, {
    split: "all",
    quiet: true,
    preprocess: { cropSize: [16, 20, 16], scale: 0.5, smoothing: "none" },
  });
  const bySub = new Map(set.subjects.map((s) => [s.id.split("_")[0], s.lesionVoxelsInScan]));
  // The 4³ box keeps 2³ voxels after halving: nothing to report.
  strictEqual(bySub.get("sub-box"), undefined);
  strictEqual(bySub.get("sub-voxel"), 1, "one voxel in the scan, none after halving");
  strictEqual(bySub.get("sub-none"), 0, "empty in the scan already");
  // The preprocessed masks agree: only the box subject has lesion voxels left.
  const plane = set.H * set.W;
  const left = (id: string) =>
    set.subjectIds.reduce(
      (n, s, k) =>
        n + (s === id
          ? set.lesionMasks.subarray(k * plane, (k + 1) * plane).reduce((a, v) => a + v, 0)
          : 0),
      0,
    );
  const ids = set.subjects.map((s) => s.id);
  deepStrictEqual(ids.map((id) => left(id) > 0), ids.map((id) => id.startsWith("sub-box")));
});

Deno.test("vanishedLesionWarnings: one line per positive subject without a lesion voxel", () => {
  const rows: SubjectRow[] = [
    { subject: "a", dataset: "atlas", label: 1, score: 0.1, lesionVoxels: 12 },
    { subject: "b", dataset: "atlas", label: 1, score: 0.1, lesionVoxels: 0 },
    { subject: "c", dataset: "atlas", label: 1, score: 0.1, lesionVoxels: 0 },
    { subject: "d", dataset: "brats", label: 1, score: 0.1, lesionVoxels: 0 },
    { subject: "h", dataset: "healthy", label: 0, score: 0.1 },
  ];
  // One 2×2 slice per subject; d keeps 3 lesion voxels (outside the eroded brain: none counted).
  const w = vanishedLesionWarnings({
    subjects: [
      { id: "a" },
      { id: "b", lesionVoxelsInScan: 100 },
      { id: "c", lesionVoxelsInScan: 0 },
      { id: "d" },
      { id: "h", lesionVoxelsInScan: 0 },
    ],
    lesionMasks: Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0]),
    subjectIds: ["a", "b", "c", "d", "h"],
    H: 2,
    W: 2,
  }, rows);
  strictEqual(w.length, 3, w.join("\n"));
  assert(
    w[0].startsWith(
      "atlas test subject b: its lesion mask has 100 voxels in the scan and none after preprocessing",
    ),
  );
  assert(w[1].includes("c: its lesion mask is empty in the scan"));
  assert(w[2].includes("d: its lesion keeps 3 voxels after preprocessing, all outside the eroded"));
  for (const line of w) {
    assert(line.includes(VANISHED_LESION_HANDLING) && line.endsWith("DICE_S leaves it out"), line);
  }
  assert(VANISHED_LESION_HANDLING.includes("still counted as a positive sample"));
  // Slices are labelled before erosion: kept voxels make lesion slices, vanished ones none.
  assert(w[0].includes("it adds no lesion slice or pixel"), w[0]);
  assert(w[2].includes("the slices holding its kept voxels count as lesion slices"), w[2]);
  strictEqual(rows[1].lesionVoxelsInScan, 100, "the row carries the scan's count");
  strictEqual(rows[0].lesionVoxelsInScan, undefined);
});

Deno.test("a vanished lesion's warning reaches the terminal lines and the report", async () => {
  const warning = `atlas test subject b: its lesion mask has 100 voxels in the scan and none ` +
    `after preprocessing (cropping, resizing to the model's grid, slices kept); ` +
    `${VANISHED_LESION_HANDLING}; it adds no lesion slice or pixel, and DICE_S leaves it out`;
  const r: EvalResult = {
    run: "/runs/x",
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
    perSubject: [{
      subject: "b",
      dataset: "atlas",
      label: 1,
      score: 0.07,
      dice: 0,
      lesionVoxels: 0,
      lesionVoxelsInScan: 100,
    }],
    warnings: [warning],
    timing: { seconds: 1, itemsPerSecond: 1 },
    versions: { neurad: "0", deno: "2", adapter: "test" },
    config: {},
  };
  assert(resultLines(r).includes(`warning: ${warning}`));
  const html = await buildReport(r, []);
  const header = html.slice(html.indexOf("<header>"), html.indexOf("</header>"));
  assert(header.includes(warning), header);
  // The per-subject table shows the scan's count beside the preprocessed one.
  assert(/<td>b<\/td>[^\n]*<td>100<\/td>/.test(html), "per-subject row with the scan's count");
  // Its Dice is no result: the cell says why instead of showing 0.
  assert(/<td>b<\/td>[^\n]*>no lesion<\/span>/.test(html), "no Dice for a vanished lesion");
});
