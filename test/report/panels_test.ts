// Reconstruction panels: with two lesioned subjects the worst one is shown (the median and the
// worst were the same subject, so the ATLAS "worst" panel went missing); images are enlarged by
// nearest neighbour to at least 256 px a side; 3D panels carry the RAS orientation (L/R, A/P)
// and the residual's grey scale, which the report draws as edge letters and a colour bar; 2D
// panels claim no orientation.

import { deepStrictEqual, ok as assert, strictEqual } from "node:assert";
import { decode } from "fast-png";
import type { SliceSet } from "../../src/data/load_slices.ts";
import { reddipalli22Panels } from "../../src/eval/protocols/reddipalli22_panels.ts";
import { chandru25Panels } from "../../src/eval/protocols/chandru25_panels.ts";
import { nearestUpsample, panelZoom } from "../../src/eval/protocols/panel_zoom.ts";
import type { ImageSet2D } from "../../src/data/image2d/load_images2d.ts";
import type { ScoredStack } from "../../src/eval/scoring/chandru25_score.ts";
import type { EvalResult } from "../../src/report/eval_result.ts";
import { buildReport } from "../../src/report/write_report.ts";

const H = 19, W = 15, plane = H * W;

/** Subjects of two slices each, a lesion in the second slice; reconstruction = 0.8·image. */
function source(ids: string[]) {
  const N = ids.length * 2;
  const images = new Float32Array(N * plane), lesionMasks = new Uint8Array(N * plane);
  const subjectIds: string[] = [], sliceIndex: number[] = [];
  ids.forEach((id, k) => {
    for (let z = 0; z < 2; z++) {
      const s = k * 2 + z;
      subjectIds.push(id);
      sliceIndex.push(10 + z);
      for (let p = 0; p < plane; p++) images[s * plane + p] = ((p * 7 + s) % 11) / 10;
      if (z === 1) { for (const p of [40, 41, 55, 56]) lesionMasks[s * plane + p] = 1; }
    }
  });
  const set = { images, lesionMasks, subjectIds, sliceIndex, H, W, N } as unknown as SliceSet;
  return { set, recon: images.map((v) => 0.8 * v), maps: images.map((v) => 0.2 * v) };
}

function png(url: string) {
  const b = atob(url.slice("data:image/png;base64,".length));
  return decode(Uint8Array.from(b, (c) => c.charCodeAt(0)));
}

Deno.test("nearestUpsample/panelZoom: whole factors to at least 256 px, blocks of one value", () => {
  strictEqual(panelZoom(95, 79), 4);
  strictEqual(panelZoom(64, 64), 4);
  strictEqual(panelZoom(128, 128), 2);
  strictEqual(panelZoom(300, 400), 1);
  deepStrictEqual([...nearestUpsample([1, 2, 3, 4], 2, 2, 2)], [
    1,
    1,
    2,
    2,
    1,
    1,
    2,
    2,
    3,
    3,
    4,
    4,
    3,
    3,
    4,
    4,
  ]);
});

Deno.test("reddipalli22Panels: best and worst of two lesioned subjects, 256 px, orientation, scale", () => {
  const src = source(["a", "b", "c"]);
  const rows = [
    { subject: "a", dice: 0.6, lesionPixels: 4 },
    { subject: "b", dice: 0.1, lesionPixels: 4 },
    { subject: "c", dice: 0, lesionPixels: 0 }, // its lesion vanished: never a panel
  ];
  const two = reddipalli22Panels(src, rows, "atlas", 0.05);
  deepStrictEqual(two.map((p) => [p.rank, p.subject]), [["best", "a"], ["worst", "b"]]);
  const three = reddipalli22Panels(
    src,
    [...rows.slice(0, 2), { subject: "c", dice: 0.3, lesionPixels: 4 }],
    "atlas",
    0.05,
  );
  deepStrictEqual(three.map((p) => [p.rank, p.subject]), [
    ["best", "a"],
    ["median", "c"],
    ["worst", "b"],
  ]);
  const p = two[0];
  deepStrictEqual(p.orientation, { left: "L", right: "R", top: "A", bottom: "P" });
  strictEqual(p.slice, 11, "the slice with the lesion");
  // |x − 0.8x| = 0.2x: the grey scale ends at the slice's largest residual.
  const k = panelZoom(H, W);
  const maxImg = Math.max(...src.set.images.subarray(3 * plane, 4 * plane));
  assert(Math.abs(p.residualScale!.hi - 0.2 * maxImg) < 1e-6, String(p.residualScale!.hi));
  for (const [key, url] of Object.entries(p.images)) {
    const im = png(url!);
    assert(Math.min(im.width, im.height) >= 256, `${key} ${im.width}×${im.height}`);
    deepStrictEqual([im.width, im.height], [W * k, H * k], key);
  }
  // Nearest neighbour: each k×k block is one value (row 0 of the input image).
  const im = png(p.images.input), row = Array.from(im.data.subarray(0, im.width));
  for (let x = 0; x < im.width; x++) strictEqual(row[x], row[x - (x % k)]);
});

Deno.test("chandru25Panels: two anomalous images give both ends; no orientation claimed", () => {
  const S = 8, hw = S * S, N = 3;
  const test = {
    size: S,
    files: ["x/glioma/a.png", "x/glioma/b.png", "x/healthy/h.png"],
    healthy: [false, false, true],
    labels: [1, 1, 0],
    classNames: ["healthy", "glioma"],
    images: Float32Array.from({ length: N * hw }, (_, i) => ((i % 5) - 2) / 2),
  } as unknown as ImageSet2D;
  const scored = {
    terms: [],
    scores: [9, 3, 5],
    recon: new Uint8Array(N * hw).fill(128),
  } as unknown as ScoredStack;
  const panels = chandru25Panels(test, scored, "score-above", [1, 0, 1]);
  deepStrictEqual(panels.map((p) => [p.rank, p.subject]), [
    ["best", "glioma/a.png"],
    ["worst", "glioma/b.png"],
    ["healthy", "healthy/h.png"],
  ]);
  for (const p of panels) {
    strictEqual(p.orientation, undefined);
    strictEqual(p.residualScale?.unit, "image intensity on [−1, 1]");
    const im = png(p.images.residual);
    deepStrictEqual([im.width, im.height], [256, 256]);
  }
});

Deno.test("report: panel images with edge letters and a colour bar for the residual", async () => {
  const src = source(["a", "b"]);
  const panels = reddipalli22Panels(
    src,
    [
      { subject: "a", dice: 0.6, lesionPixels: 4 },
      { subject: "b", dice: 0.1, lesionPixels: 4 },
    ],
    "atlas",
    0.05,
  );
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
    panels,
    perSubject: [],
    timing: { seconds: 1, itemsPerSecond: 1 },
    versions: { neurad: "0", deno: "2", adapter: "test" },
    config: {},
  } as EvalResult;
  const html = await buildReport(r, []);
  const section = html.slice(html.indexOf("<h2>Reconstructions"), html.indexOf("</body>"));
  for (const letter of ["L", "R", "A", "P"]) {
    strictEqual(
      (section.match(new RegExp(`<span class="ori ori-\\w">${letter}</span>`, "g")) ?? []).length,
      2 * 6,
      `${letter} on every image of both panels`,
    );
  }
  // One colour bar beside the residual and one beside the map, per panel, with its top value.
  strictEqual((section.match(/class="cbar"/g) ?? []).length, 4);
  assert(section.includes(`<span>${+panels[0].residualScale!.hi.toPrecision(3)}</span>`));
  const hi = +panels[0].residualScale!.hi.toPrecision(3);
  assert(section.includes(`black 0 to white ${hi} (normalised intensity)`), "scale in words");
  assert(section.includes("<b>worst</b>"), "the worst panel");
  for (const alt of ["input", "reconstruction", "residual", "groundTruth"]) {
    assert(section.includes(`alt="${alt}"`), alt);
  }
});
