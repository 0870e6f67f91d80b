// confusionMatrix, precisionScore, recallScore, f1Score, accuracyScore, dice, binarize against sklearn.

import {
  accuracyScore,
  binarize,
  confusionAtThreshold,
  confusionMatrix,
  dice,
  f1Score,
  precisionScore,
  recallScore,
} from "../../src/eval/mod.ts";
import { assertClose, assertEquals, assertThrows, loadFixture } from "./_helpers.ts";

interface Case {
  yTrue: number[];
  yPred: number[];
  confusionMatrix: number[][];
  accuracy: number;
  zd0: { precision: number; recall: number; f1: number };
  zd1: { precision: number; recall: number; f1: number };
}
const fx = loadFixture<{ cases: Case[] }>("classification");

Deno.test("confusionMatrix() matches sklearn confusion_matrix layout [[tn, fp], [fn, tp]]", () => {
  for (const c of fx.cases) {
    assertEquals(confusionMatrix(c.yTrue, c.yPred).matrix, c.confusionMatrix);
  }
});

Deno.test("precisionScore(), recallScore(), f1Score(), accuracyScore() match sklearn incl. zero_division", () => {
  fx.cases.forEach((c, k) => {
    for (const zd of [0, 1] as const) {
      const ref = zd === 0 ? c.zd0 : c.zd1, o = { zeroDivision: zd };
      assertClose(precisionScore(c.yTrue, c.yPred, o), ref.precision, {
        atol: 1e-15,
        rtol: 0,
        name: `case ${k} precision`,
      });
      assertClose(recallScore(c.yTrue, c.yPred, o), ref.recall, {
        atol: 1e-15,
        rtol: 0,
        name: `case ${k} recall`,
      });
      assertClose(f1Score(c.yTrue, c.yPred, o), ref.f1, {
        atol: 1e-15,
        rtol: 0,
        name: `case ${k} f1`,
      });
    }
    assertClose(accuracyScore(c.yTrue, c.yPred), c.accuracy, {
      atol: 1e-15,
      rtol: 0,
      name: `case ${k} accuracy`,
    });
  });
});

Deno.test("dice() equals F1 on non-empty masks and is 1 (configurable) for two empty masks", () => {
  const c = fx.cases[0];
  assertClose(dice(c.yPred, c.yTrue), c.zd0.f1, { atol: 1e-15, rtol: 0, name: "dice" });
  const empty = new Uint8Array(20);
  assertEquals(dice(empty, empty), 1);
  assertEquals(dice(empty, empty, { empty: 0 }), 0);
  assertEquals(dice(Uint8Array.of(1, 0), Uint8Array.of(0, 0)), 0);
  assertEquals(dice(Uint8Array.of(1, 1, 0, 0), Uint8Array.of(0, 1, 1, 0)), 0.5);
});

Deno.test("binarize() and confusionAtThreshold() predict positive only when score > threshold", () => {
  const s = [0.1, 0.5, 0.5, 0.9], l = [0, 1, 0, 1];
  assertEquals(Array.from(binarize(s, 0.5)), [0, 0, 0, 1]);
  assertEquals(confusionAtThreshold(s, l, 0.5), confusionMatrix(l, binarize(s, 0.5)));
  assertEquals(confusionAtThreshold(s, l, 0.4).matrix, [[1, 1], [0, 2]]);
});

Deno.test("confusionMatrix() and dice() reject mismatched lengths and non-binary masks", () => {
  assertThrows(
    () => confusionMatrix([0, 1], [0, 1, 1]),
    /yTrue has length 2 but yPred has length 3/,
  );
  assertThrows(() => dice([0, 3], [0, 1]), /yPred\[1\] is 3/);
  assertThrows(() => binarize([0, NaN], 0.5), /scores\[1\] is NaN/);
  assertThrows(() => accuracyScore([], []), /empty/);
});
