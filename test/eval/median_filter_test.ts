// medianFilter2d() against scipy.ndimage.median_filter on a non-square 13x9 image and a stack.

import { medianFilter2d } from "../../src/eval/mod.ts";
import { medianFilter3d } from "../../src/eval/postprocess/median_filter.ts";
import { assert, assertArrayEqual, assertThrows, loadFixture } from "./_helpers.ts";

interface MedianFx {
  height: number;
  width: number;
  img: number[];
  stack: number[];
  cases: { size: number; mode: "reflect"; cval: number; out: number[] }[];
  stackOut9: number[];
  stackOut3d5: number[];
}
const fx = loadFixture<{ median: MedianFx }>("postprocess").median;

Deno.test("medianFilter2d() matches scipy median_filter for sizes 1, 3, 4, 5, 9, 11 and every mode", () => {
  const img = Float32Array.from(fx.img);
  for (const c of fx.cases) {
    const out = medianFilter2d(img, fx.height, fx.width, c.size, { mode: c.mode, cval: c.cval });
    assertArrayEqual(out, Float32Array.from(c.out), `size ${c.size} ${c.mode}`);
  }
});

Deno.test("medianFilter2d() filters each slice of a stack on its own (scipy size (1, 9, 9), not 3D)", () => {
  const stack = Float32Array.from(fx.stack);
  const out = medianFilter2d(stack, fx.height, fx.width, 9);
  assertArrayEqual(out, Float32Array.from(fx.stackOut9), "stack size 9");
  const out5 = medianFilter2d(stack, fx.height, fx.width, 5);
  assert(
    out5.some((v, i) => v !== fx.stackOut3d5[i]),
    "2D stack filter must differ from the 3D filter",
  );
});

Deno.test("medianFilter2d() fails with swapped height and width on a non-square image", () => {
  const img = Float32Array.from(fx.img);
  const ref = Float32Array.from(fx.cases[0].out);
  const swapped = medianFilter2d(img, fx.width, fx.height, 5);
  assert(swapped.some((v, i) => v !== ref[i]), "swapped axes went unnoticed");
});

Deno.test("medianFilter2d() rejects a partial slice, a bad size and NaN", () => {
  assertThrows(
    () => medianFilter2d(new Float32Array(10), 3, 3, 3),
    /not a whole number of 3x3 slices/,
  );
  assertThrows(() => medianFilter2d(new Float32Array(9), 3, 3, 0), /size 0/);
  assertThrows(() => medianFilter2d(Float32Array.of(0, NaN, 0, 0), 2, 2, 3), /scores\[1\] is NaN/);
});

Deno.test("medianFilter2d/3d with `where`: the full filter where flagged, 0 elsewhere", () => {
  const stack = Float32Array.from(fx.stack);
  const depth = stack.length / (fx.height * fx.width);
  let seed = 11;
  const where = Uint8Array.from(stack, () => (seed = (seed * 69069 + 1) % 4294967296) % 3 ? 1 : 0);
  const full2 = medianFilter2d(stack, fx.height, fx.width, 5);
  const part2 = medianFilter2d(stack, fx.height, fx.width, 5, { where });
  assertArrayEqual(part2, full2.map((v, i) => (where[i] ? v : 0)), "2D where");
  const full3 = medianFilter3d(stack, depth, fx.height, fx.width, 3);
  const part3 = medianFilter3d(stack, depth, fx.height, fx.width, 3, { where });
  assertArrayEqual(part3, full3.map((v, i) => (where[i] ? v : 0)), "3D where");
  assertThrows(
    () => medianFilter2d(stack, fx.height, fx.width, 5, { where: where.subarray(1) }),
    /where has/,
  );
});
