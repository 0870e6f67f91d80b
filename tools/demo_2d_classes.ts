// The demo cohort as 2D class folders, for the second study's protocol (Chandru 2025: healthy vs
// glioma images) on a machine without its Kaggle data: axial slices of the demo cohort's healthy
// subjects (IXI layout) into healthy/ and tumour slices of its BraTS-layout subjects into glioma/,
// each preprocessed as the first study's loaders do (95×79, [0, 1] in the brain), padded to 95×95
// and written as 8-bit grey PNGs named SUBJECT-zNN.png. Like the public collection the study
// used, the images carry no subject id for the 2D loader, so slices of one subject can fall into
// different splits; docs/results.md says so beside the numbers.
//
//   deno run -A tools/demo_2d_classes.ts [--data data/demo] [--out data/demo-2d]
//     [--per-subject 10] [--min-lesion 40]

import { parseArgs } from "node:util";
import { join } from "node:path";
import { encode } from "fast-png";
import { loadSlices } from "../src/data/load_slices.ts";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: "data/demo" },
    out: { type: "string", default: "data/demo-2d" },
    "per-subject": { type: "string", default: "10" },
    "min-lesion": { type: "string", default: "40" },
  },
});
const perSubject = Number(values["per-subject"]);
const minLesion = Number(values["min-lesion"]);

const s = await loadSlices(values.data!, { split: "all", seed: 0, quiet: true });
const { H, W } = s;
const S = Math.max(H, W);
const bySubject = new Map<string, number[]>();
s.subjectIds.forEach((id, i) => bySubject.set(id, [...(bySubject.get(id) ?? []), i]));
const layout = new Map(s.subjects.map((x) => [x.id, x.layout]));
const counts = { healthy: 0, glioma: 0 };
for (const cls of ["healthy", "glioma"]) {
  await Deno.mkdir(join(values.out!, cls), { recursive: true });
}

for (const [id, slices] of bySubject) {
  const kind = layout.get(id);
  if (kind !== "ixi" && kind !== "brats") continue; // strokes are not the second study's class
  const lesion = (i: number) => {
    let n = 0;
    for (let p = 0; p < H * W; p++) n += s.lesionMasks[i * H * W + p];
    return n;
  };
  const brain = (i: number) => {
    let n = 0;
    for (let p = 0; p < H * W; p++) n += s.brainMasks[i * H * W + p];
    return n / (H * W);
  };
  // Healthy: slices with a large brain section; glioma: slices with a visible lesion.
  const pool = kind === "ixi"
    ? slices.filter((i) => brain(i) > 0.3)
    : slices.filter((i) => lesion(i) >= minLesion);
  const step = Math.max(1, pool.length / perSubject);
  const chosen = Array.from(
    { length: Math.min(perSubject, pool.length) },
    (_, k) => pool[Math.floor(k * step)],
  );
  const cls = kind === "ixi" ? "healthy" : "glioma";
  for (const i of chosen) {
    const px = new Uint8Array(S * S);
    const oy = (S - H) >> 1, ox = (S - W) >> 1;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = s.images[i * H * W + y * W + x];
        // Row 0 is posterior: flip so anterior is up, as radiological slices are shown.
        px[(oy + H - 1 - y) * S + ox + x] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
    }
    const name = `${id.replace(/[^A-Za-z0-9_-]/g, "_")}-z${
      String(s.sliceIndex[i]).padStart(2, "0")
    }.png`;
    await Deno.writeFile(
      join(values.out!, cls, name),
      encode({ width: S, height: S, data: px, channels: 1 }),
    );
    counts[cls]++;
  }
}
console.log(
  `wrote ${counts.healthy} healthy and ${counts.glioma} glioma images (${S}×${S}) to ${values.out}`,
);
