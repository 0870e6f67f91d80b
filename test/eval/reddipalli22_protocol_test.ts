// The first study's protocol after reconstruction (src/eval/protocols/reddipalli22.ts
// evaluateScored) on synthetic validation and test splits, without a GPU: DICE_S after removing
// small 3D components, the volume threshold from a healthy false-positive rate with its
// calibration count, the refusal and the warning for too few healthy validation subjects,
// degenerate rows, pooled and per-dataset thresholds, and the no-model baselines beside every
// ranking, each recomputed here from the maps and masks by hand.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert";
import type { SliceSet } from "../../src/data/load_slices.ts";
import type { OpenedRun } from "../../src/train/open_run.ts";
import { UserError } from "../../src/core/errors.ts";
import { Prng } from "../../src/core/prng.ts";
import {
  evaluateScored,
  type Reddipalli22Options,
  resolveSetup,
} from "../../src/eval/protocols/reddipalli22.ts";
import { type Scored, scoredFromResiduals } from "../../src/eval/protocols/reddipalli22_scored.ts";
import { auroc } from "../../src/eval/metrics/roc.ts";
import { averagePrecision } from "../../src/eval/metrics/precision_recall.ts";
import { greedyDiceThreshold } from "../../src/eval/metrics/threshold_search.ts";
import { removeSmallComponents3d } from "../../src/eval/postprocess/connected_components.ts";
import { quantile } from "../../src/util/quantile.ts";
import { baselineShortfalls, degenerateNotes } from "../../src/report/result_notes.ts";
import { comparisonTables } from "../../src/eval/run_eval.ts";
import type { EvalResult } from "../../src/report/eval_result.ts";

const H = 40, W = 36, Z = 6, plane = H * W;

interface SubjectSpec {
  id: string;
  layout: "ixi" | "brats" | "atlas";
  /** Residual inside the lesion: base + spread·U(0, 1). */
  lesion?: [number, number];
  /** Residual everywhere in the brain (a model that flags the whole brain). */
  flat?: number;
  /** Brain ellipse radii. */
  radii: [number, number];
}

/** One split: brain ellipses, a dark box lesion in slices 2-4, residual noise 0.05·U plus
 * single-voxel spikes of 0.9 (components of one voxel), and lesion residuals per subject. */
function split(specs: SubjectSpec[], seed: number): { set: SliceSet; residuals: Float32Array } {
  const rng = new Prng(seed), N = specs.length * Z;
  const images = new Float32Array(N * plane), residuals = new Float32Array(N * plane);
  const brainMasks = new Uint8Array(N * plane), lesionMasks = new Uint8Array(N * plane);
  const subjectIds: string[] = [], sliceIndex: number[] = [];
  specs.forEach((sp, k) => {
    for (let z = 0; z < Z; z++) {
      const s = k * Z + z;
      subjectIds.push(sp.id);
      sliceIndex.push(z);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = s * plane + y * W + x;
          const inBrain = ((y - 20) / sp.radii[0]) ** 2 + ((x - 18) / sp.radii[1]) ** 2 <= 1;
          if (!inBrain) continue;
          brainMasks[i] = 1;
          const lesion = sp.lesion && z >= 2 && z <= 4 && y >= 16 && y < 24 && x >= 14 && x < 23;
          lesionMasks[i] = lesion ? 1 : 0;
          images[i] = lesion ? 0.25 + 0.05 * rng.next() : 0.6 + 0.1 * rng.next();
          residuals[i] = sp.flat ??
            (lesion ? sp.lesion![0] + sp.lesion![1] * rng.next() : 0.05 * rng.next());
        }
      }
      // Two single-voxel spikes per slice, inside the eroded brain, off the lesion.
      for (const [y, x] of [[12, 10 + z], [27, 24 - z]]) residuals[s * plane + y * W + x] = 0.9;
    }
  });
  const subjects = specs.map((sp) => ({
    id: sp.id,
    layout: sp.layout,
    image: `${sp.id}.nii.gz`,
    pathological: sp.layout !== "ixi",
    split: "test",
    sha256: { image: "" },
    geometry: {},
  })) as unknown as SliceSet["subjects"];
  const set: SliceSet = {
    images,
    brainMasks,
    lesionMasks,
    subjectIds,
    sliceIndex,
    H,
    W,
    N,
    subjects,
    manifest: { format: "neurad-split-manifest", version: 1, seed: 0, subjects: [] },
  };
  return { set, residuals };
}

function scored(
  specs: SubjectSpec[],
  seed: number,
  setup: ReturnType<typeof resolveSetup>,
): Scored {
  const { set, residuals } = split(specs, seed);
  const sliceErrors = new Float64Array(set.N);
  for (let s = 0; s < set.N; s++) {
    let e = 0;
    for (let p = 0; p < plane; p++) e += residuals[s * plane + p];
    sliceErrors[s] = e / plane;
  }
  const reconstructions = set.images.map((v, i) => v - residuals[i]);
  return scoredFromResiduals(set, { residuals, reconstructions, sliceErrors }, setup);
}

const fakeRun = (mode: "corrected" | "faithful" = "corrected") =>
  ({
    config: { mode, data: { dir: "synthetic" } },
    checkpointPath: "run/checkpoints/best.safetensors",
  }) as unknown as OpenedRun;

const healthy = (prefix: string, n: number, r0 = 17): SubjectSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    layout: "ixi" as const,
    radii: [r0 + (i % 3), 15 + (i % 2)] as [number, number],
  }));
const sick = (
  prefix: string,
  layout: "brats" | "atlas",
  n: number,
  lesion: [number, number],
  extra: Partial<SubjectSpec> = {},
): SubjectSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    layout,
    lesion,
    radii: [18 - (i % 2), 16 - (i % 3)] as [number, number],
    ...extra,
  }));

/** Validation: 3 healthy, 2 BraTS (strong residual), 2 ATLAS (weak); test likewise, 3 each. */
function protocol(o: Reddipalli22Options = {}, testAtlas: Partial<SubjectSpec> = {}) {
  const lines: string[] = [];
  const setup = resolveSetup(fakeRun(), {
    medianFilter: 1, // identity: the spikes stay single voxels, the maps stay checkable by hand
    bootstrap: 20,
    write: (l) => void lines.push(l),
    ...o,
  });
  const val = scored(
    [
      ...healthy("hv", 3),
      ...sick("bv", "brats", 2, [0.6, 0.2]),
      ...sick("av", "atlas", 2, [0.02, 0.1]),
    ],
    1,
    setup,
  );
  const test = scored(
    [
      ...healthy("ht", 3, 16),
      ...sick("bt", "brats", 3, [0.6, 0.2]),
      ...sick("at", "atlas", 3, [0.02, 0.1], testAtlas),
    ],
    2,
    setup,
  );
  return { setup, val, test, lines, ...evaluateScored(setup, val, test) };
}

/** In-brain (eroded) voxels of the given subjects of a split: map values, labels, slices. */
function voxels(sc: Scored, keep: (id: string) => boolean, maps = sc.maps) {
  const s: number[] = [], l: number[] = [];
  for (let k = 0; k < sc.set.N; k++) {
    if (!keep(sc.set.subjectIds[k])) continue;
    for (let p = 0; p < plane; p++) {
      const i = k * plane + p;
      if (sc.eroded[i]) {
        s.push(maps[i]);
        l.push(sc.set.lesionMasks[i]);
      }
    }
  }
  return { s, l };
}

const subjectsOf = (sc: Scored, ds: string) =>
  sc.set.subjects.filter((x) => sc.dataset.get(x.id) === ds).map((x) => x.id);

Deno.test("DICE_S is the mean per-volume Dice after removing 3D components under 7 voxels", () => {
  const { test, body } = protocol();
  for (const ds of ["brats", "atlas"]) {
    const row = body.dice!.find((d) => d.dataset === ds && d.filter === "median 1×1")!;
    strictEqual(row.minComponentSize, 7);
    const dices = subjectsOf(test, ds).map((id) => {
      const sl = [...Array(test.set.N).keys()].filter((k) => test.set.subjectIds[k] === id);
      const pred = new Uint8Array(sl.length * plane), gt = new Uint8Array(sl.length * plane);
      sl.forEach((k, j) => {
        for (let p = 0; p < plane; p++) {
          const i = k * plane + p;
          if (!test.eroded[i]) continue;
          pred[j * plane + p] = test.maps[i] > row.threshold ? 1 : 0;
          gt[j * plane + p] = test.set.lesionMasks[i];
        }
      });
      const kept = removeSmallComponents3d(pred, sl.length, H, W, 7, 26);
      let tp = 0, np = 0, ng = 0;
      for (let i = 0; i < kept.length; i++) {
        tp += kept[i] & gt[i];
        np += kept[i];
        ng += gt[i];
      }
      return (2 * tp) / (np + ng);
    });
    const want = dices.reduce((a, b) => a + b, 0) / dices.length;
    ok(Math.abs(row.diceS.mean - want) < 1e-12, `${ds}: DICE_S ${row.diceS.mean} vs ${want}`);
    const rows = body.perSubject!.filter((r) => r.dataset === ds);
    // The spikes (12 per volume, most inside the eroded brain) are 1-voxel components above the
    // threshold: removed.
    ok(rows.every((r) => (r.removedVoxels as number) >= 10), JSON.stringify(rows));
  }
  // Faithful: the study's code removes components of up to 7 voxels (filled_area <= 7).
  strictEqual(resolveSetup(fakeRun("faithful"), {}).minComponentSize, 8);
});

Deno.test("detect's volume threshold: the 95 % quantile of 3 healthy validation volumes", () => {
  const { val, thresholds, body } = protocol();
  const hv = ["hv0", "hv1", "hv2"].map((id) => {
    const sl = [...Array(val.set.N).keys()].filter((k) => val.set.subjectIds[k] === id);
    return sl.reduce((a, k) => a + val.sliceErrors[k], 0) / sl.length;
  });
  const v = thresholds.volumeScore;
  strictEqual(v.threshold, quantile(hv, 0.95));
  ok(v.threshold < Math.max(...hv), "not the maximum of the healthy volumes");
  deepStrictEqual([v.rule, v.fpr, v.calibrationVolumes], ["quantile", 0.05, 3]);
  strictEqual(v.healthyMax, Math.max(...hv));
  ok(String(body.settings!.volumeThreshold).includes("3 healthy validation subjects"));
  const { thresholds: t10 } = protocol({ volumeFpr: 0.1 });
  strictEqual(t10.volumeScore.threshold, quantile(hv, 0.9));
});

Deno.test("too few healthy validation subjects: refused at none, one warning line below 3", () => {
  const setup = resolveSetup(fakeRun(), { medianFilter: 1, bootstrap: 0, write: () => {} });
  const test = scored([...healthy("ht", 2), ...sick("bt", "brats", 2, [0.6, 0.2])], 2, setup);
  const none = scored(sick("bv", "brats", 2, [0.6, 0.2]), 1, setup);
  throws(
    () => evaluateScored(setup, none, test),
    (e: Error) =>
      e instanceof UserError && /validation split has no healthy subject/.test(e.message),
  );
  const lines: string[] = [];
  const one = { ...setup, write: (l: string) => void lines.push(l) };
  const val = scored([...healthy("hv", 1), ...sick("bv", "brats", 2, [0.6, 0.2])], 1, one);
  const r = evaluateScored(one, val, test);
  strictEqual(lines.length, 1);
  ok(/^warning: 1 healthy validation subject calibrates/.test(lines[0]), lines[0]);
  strictEqual(r.thresholds.volumeScore.calibrationVolumes, 1);
});

Deno.test("a threshold marking over half of the brain flags its rows degenerate", () => {
  // The test ATLAS model output is 0.9 everywhere in the brain: every voxel is over threshold.
  const { body } = protocol({}, { flat: 0.9 });
  const atlas = body.dice!.filter((d) => d.dataset === "atlas");
  ok(atlas.length === 2 && atlas.every((d) => d.maskFraction! > 0.99), JSON.stringify(atlas));
  ok(atlas.every((d) => /marks 100\.0 % of the atlas test brain/.test(d.degenerate ?? "")));
  const brats = body.dice!.filter((d) => d.dataset === "brats");
  ok(brats.every((d) => d.degenerate === undefined && d.maskFraction! < 0.1));
  ok(body.lesionDetection!.filter((l) => l.dataset === "atlas").every((l) => l.degenerate));
  ok(body.lesionDetection!.filter((l) => l.dataset === "brats").every((l) => !l.degenerate));
  const r = { ...body, run: "r", model: { name: "m", options: {}, parameters: 1 } } as EvalResult;
  ok(degenerateNotes(r).some((n) => n.startsWith("atlas median 1×1 is degenerate")));
  const md = comparisonTables([{ ...r, mode: "corrected", checkpoint: "best" }]).md;
  ok(/\| atlas \|.*\| degenerate\* \|/.test(md), md);
  ok(md.includes("* degenerate, not a result: r atlas: the threshold marks 100.0 %"), md);
});

Deno.test("pooled thresholds by default; per-dataset thresholds from each dataset's validation", () => {
  const pooled = protocol();
  const perDs = protocol({ thresholdScope: "per-dataset" });
  const greedy = (sc: Scored, keep: (id: string) => boolean) => {
    const v = voxels(sc, keep);
    return greedyDiceThreshold(v.s, v.l).threshold;
  };
  const val = pooled.val;
  const all = greedy(val, (id) => val.dataset.get(id) !== "");
  const brats = greedy(val, (id) => val.dataset.get(id) === "brats");
  const atlas = greedy(val, (id) => val.dataset.get(id) === "atlas");
  ok(brats !== atlas, "the datasets' own thresholds differ");
  const main = (r: typeof pooled, ds: string) =>
    r.body.dice!.find((d) => d.dataset === ds && d.filter === "median 1×1")!;
  for (const ds of ["brats", "atlas"]) {
    strictEqual(main(pooled, ds).threshold, all);
    strictEqual(main(pooled, ds).thresholdScope, "pooled");
    strictEqual(main(pooled, ds).thresholdFrom, "4 brats+atlas validation subjects");
  }
  strictEqual(main(perDs, "brats").threshold, brats);
  strictEqual(main(perDs, "atlas").threshold, atlas);
  strictEqual(main(perDs, "atlas").thresholdScope, "per-dataset");
  strictEqual(main(perDs, "atlas").thresholdFrom, "2 atlas validation subjects");
  strictEqual(pooled.body.thresholdScope, "pooled");
  strictEqual(perDs.body.thresholdScope, "per-dataset");
  // detect applies the pooled threshold either way; the per-dataset ones are recorded.
  strictEqual(perDs.thresholds.threshold, all);
  deepStrictEqual(perDs.thresholds.perDataset, { brats, atlas });
  strictEqual(pooled.thresholds.perDataset, undefined);
  // The faithful default is the study's text: per dataset.
  strictEqual(resolveSetup(fakeRun("faithful"), {}).scope, "per-dataset");
  strictEqual(resolveSetup(fakeRun("corrected"), {}).scope, "pooled");
});

Deno.test("curves in the result keep their ends when thinned to 500 points", () => {
  const { body } = protocol();
  const thinned = body.rankings!.filter((x) => x.pr.recall.length === 500);
  ok(thinned.length > 0, "some curve is thinned");
  for (const x of body.rankings!) {
    const where = `${x.dataset} ${x.level}`;
    // scikit-learn's ends: PR from recall 1 to (recall 0, precision 1); ROC from (0, 0) to (1, 1).
    deepStrictEqual([x.pr.recall[0], x.pr.recall.at(-1), x.pr.precision.at(-1)], [1, 0, 1], where);
    deepStrictEqual([x.roc.fpr[0], x.roc.tpr[0], x.roc.fpr.at(-1), x.roc.tpr.at(-1)], [
      0,
      0,
      1,
      1,
    ], where);
  }
});

Deno.test("every ranking has its no-model baseline, scored by the same metric code", () => {
  const { test, body } = protocol();
  const rk = (ds: string, level: string) =>
    body.rankings!.find((x) => x.dataset === ds && x.level === level)!;
  for (const ds of ["brats", "atlas"]) {
    const ids = new Set([...subjectsOf(test, ds), "ht0", "ht1", "ht2"]);
    // Sample-wise: brain volume (brain-mask voxels over the kept slices).
    const vols = [...ids].map((id) => {
      let v = 0;
      for (let k = 0; k < test.set.N; k++) {
        if (test.set.subjectIds[k] !== id) continue;
        for (let p = 0; p < plane; p++) v += test.set.brainMasks[k * plane + p];
      }
      return v;
    });
    const vl = [...ids].map((id) => (test.dataset.get(id) ? 1 : 0));
    const sw = rk(ds, "sample");
    strictEqual(sw.baseline!.name, "brain volume");
    strictEqual(sw.baseline!.auroc, auroc(vols, vl));
    strictEqual(sw.baseline!.auprc, averagePrecision(vols, vl));
    // Slice-wise: brain area of each slice; label = any lesion voxel.
    const areas: number[] = [], sl: number[] = [];
    for (let k = 0; k < test.set.N; k++) {
      if (!ids.has(test.set.subjectIds[k])) continue;
      let a = 0, les = 0;
      for (let p = 0; p < plane; p++) {
        a += test.set.brainMasks[k * plane + p];
        les |= test.set.lesionMasks[k * plane + p];
      }
      areas.push(a);
      sl.push(les);
    }
    strictEqual(rk(ds, "slice").baseline!.auroc, auroc(areas, sl));
    strictEqual(rk(ds, "slice").baseline!.name, "brain area of the slice");
    // Pixel-wise: 1 − x inside the eroded brain (the identity median leaves it as is).
    const px = voxels(test, (id) => test.dataset.get(id) === ds, test.baselineMaps);
    const inv = voxels(
      test,
      (id) => test.dataset.get(id) === ds,
      Float32Array.from(test.set.images, (v) => 1 - v),
    );
    deepStrictEqual(px, inv);
    ok(Math.abs(rk(ds, "pixel").baseline!.auroc - auroc(inv.s, inv.l)) < 1e-12);
    strictEqual(rk(ds, "pixel").baseline!.name, "inverted intensity (1 − x)");
    const dice = body.dice!.find((d) => d.dataset === ds && d.filter === "median 1×1")!;
    ok(dice.baseline && dice.baseline.diceT > 0.5, JSON.stringify(dice.baseline));
  }
  // The weak ATLAS model loses to the dark-lesion intensity: the notes say so.
  const r = { ...body, run: "r" } as EvalResult;
  const short = baselineShortfalls(r);
  ok(short.some((n) => n.startsWith("atlas pixel-wise AUROC: the model")), short.join("\n"));
});
