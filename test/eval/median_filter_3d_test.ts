// medianFilter3d() (faithful evaluation's 9×9×9 filter) against scipy.ndimage.median_filter on a
// 6×9×7 volume with ties, sizes 1–9 (larger than the depth) and three border modes.

import { deepStrictEqual, throws } from "node:assert";
import { medianFilter2d, medianFilter3d } from "../../src/eval/postprocess/median_filter.ts";
import { loadFixture } from "./_helpers.ts";

interface Fx {
  depth: number;
  height: number;
  width: number;
  volume: number[];
  cases: { size: number; mode: "reflect" | "nearest" | "constant"; cval: number; out: number[] }[];
}
const fx = loadFixture<Fx>("median3d");

Deno.test("medianFilter3d() matches scipy median_filter(size=k) for k 1, 3, 4, 5, 9", () => {
  const vol = Float32Array.from(fx.volume);
  for (const c of fx.cases) {
    const out = medianFilter3d(vol, fx.depth, fx.height, fx.width, c.size, {
      mode: c.mode,
      cval: c.cval,
    });
    deepStrictEqual(Array.from(out), Array.from(Float32Array.from(c.out)), `${c.size} ${c.mode}`);
  }
});

Deno.test("medianFilter3d() differs from the per-slice 2D filter, and checks its shape", () => {
  const vol = Float32Array.from(fx.volume);
  const a = medianFilter3d(vol, fx.depth, fx.height, fx.width, 3);
  const b = medianFilter2d(vol, fx.height, fx.width, 3);
  deepStrictEqual(a.length, b.length);
  deepStrictEqual(a.some((v, i) => v !== b[i]), true);
  throws(() => medianFilter3d(vol, fx.depth + 1, fx.height, fx.width, 3), /length/);
});
