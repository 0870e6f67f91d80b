// auroc, averagePrecision, rocCurve, prCurve against scikit-learn 1.2.1 fixtures.

import { auroc, averagePrecision, prCurve, rocCurve } from "../../src/eval/mod.ts";
import {
  assert,
  assertClose,
  assertEquals,
  assertThrows,
  loadFixture,
  rankingData,
} from "./_helpers.ts";

interface Case {
  scores: number[];
  labels: number[];
  auroc?: number;
  aurocError?: string;
  averagePrecision: number;
  rocCurve: { fpr: number[]; tpr: number[]; thresholds: number[] };
  rocCurveFull: { fpr: number[]; tpr: number[]; thresholds: number[] };
  prCurve: { precision: number[]; recall: number[]; thresholds: number[] };
}
interface Large {
  seed: number;
  n: number;
  bits: number;
  positives: number;
  auroc: number;
  averagePrecision: number;
  firstScores: number[];
  firstLabels: number[];
}
const fx = loadFixture<{ cases: Record<string, Case>; large: Record<string, Large> }>("ranking");
const twoClass = ["ties", "allTied", "separated", "inverted", "signedFloat64"];

Deno.test("auroc() matches sklearn roc_auc_score with ties, -0/+0 and perfect/inverted order", () => {
  for (const name of twoClass) {
    const c = fx.cases[name];
    assertClose(auroc(c.scores, c.labels), c.auroc!, { atol: 1e-12, rtol: 1e-12, name });
    assertClose(auroc(Float32Array.from(c.scores), Uint8Array.from(c.labels)), c.auroc!, {
      atol: 1e-12,
      rtol: 1e-12,
      name,
    });
  }
});

Deno.test("averagePrecision() matches sklearn average_precision_score with ties", () => {
  for (const name of [...twoClass, "allPositive"]) {
    const c = fx.cases[name];
    assertClose(averagePrecision(c.scores, c.labels), c.averagePrecision, {
      atol: 1e-12,
      rtol: 1e-12,
      name,
    });
  }
});

Deno.test("rocCurve() matches sklearn roc_curve with and without drop_intermediate", () => {
  for (const name of twoClass) {
    const c = fx.cases[name];
    for (const [drop, ref] of [[true, c.rocCurve], [false, c.rocCurveFull]] as const) {
      const r = rocCurve(c.scores, c.labels, drop);
      assertClose(r.fpr, ref.fpr, { atol: 1e-15, rtol: 0, name: `${name} fpr` });
      assertClose(r.tpr, ref.tpr, { atol: 1e-15, rtol: 0, name: `${name} tpr` });
      assertClose(r.thresholds, ref.thresholds, { atol: 0, rtol: 0, name: `${name} thresholds` });
    }
  }
});

Deno.test("prCurve() matches sklearn precision_recall_curve", () => {
  for (const name of [...twoClass, "allPositive"]) {
    const c = fx.cases[name], r = prCurve(c.scores, c.labels);
    assertClose(r.precision, c.prCurve.precision, {
      atol: 1e-15,
      rtol: 0,
      name: `${name} precision`,
    });
    assertClose(r.recall, c.prCurve.recall, { atol: 1e-15, rtol: 0, name: `${name} recall` });
    assertClose(r.thresholds, c.prCurve.thresholds, {
      atol: 0,
      rtol: 0,
      name: `${name} thresholds`,
    });
  }
});

Deno.test("auroc() and rocCurve() throw on one-class labels, as sklearn does", () => {
  for (const name of ["allPositive", "allNegative"]) {
    const c = fx.cases[name];
    assert(c.aurocError?.includes("Only one class"));
    assertThrows(() => auroc(c.scores, c.labels), /no (positive|negative) sample/);
    assertThrows(() => rocCurve(c.scores, c.labels), /no (positive|negative) sample/);
  }
});

Deno.test("averagePrecision() throws without positives (sklearn returns 0 with a warning)", () => {
  const c = fx.cases.allNegative;
  assertEquals(c.averagePrecision, 0);
  assertThrows(() => averagePrecision(c.scores, c.labels), /no positive sample/);
  assertThrows(() => prCurve(c.scores, c.labels), /no positive sample/);
});

Deno.test("auroc() rejects NaN, Infinity, non-binary labels, length mismatch and empty input", () => {
  assertThrows(() => auroc([0.1, NaN], [0, 1]), /scores\[1\] is NaN/);
  assertThrows(() => averagePrecision([0.1, Infinity], [0, 1]), /scores\[1\] is Infinity/);
  assertThrows(() => auroc([0.1, 0.2], [0, 2]), /labels\[1\] is 2/);
  assertThrows(() => auroc([0.1, 0.2, 0.3], [0, 1]), /length 3 but labels has length 2/);
  assertThrows(() => auroc([], []), /empty/);
});

for (const key of ["100000", "10000000"]) {
  Deno.test(`auroc() and averagePrecision() match sklearn on ${key} seeded tied scores`, () => {
    const L = fx.large[key];
    const { scores, labels } = rankingData(L.seed, L.n, L.bits);
    assertEquals(Array.from(scores.subarray(0, 8)), L.firstScores);
    assertEquals(Array.from(labels.subarray(0, 8)), L.firstLabels);
    assertClose(auroc(scores, labels), L.auroc, { atol: 1e-12, rtol: 1e-12, name: "auroc" });
    assertClose(averagePrecision(scores, labels), L.averagePrecision, {
      atol: 1e-12,
      rtol: 1e-12,
      name: "ap",
    });
    // The Float64 path (native sort) must agree with the Float32 radix path.
    if (L.n <= 100000) {
      assertClose(auroc(Float64Array.from(scores), labels), L.auroc, {
        atol: 1e-12,
        rtol: 1e-12,
        name: "auroc f64",
      });
    }
  });
}
