// binaryErosion2d() / binaryErosion3d() against scipy.ndimage.binary_erosion.

import { binaryErosion2d, binaryErosion3d } from "../../src/eval/mod.ts";
import { assert, assertArrayEqual, assertThrows, loadFixture } from "./_helpers.ts";

interface ErosionFx {
  height: number;
  width: number;
  depth: number;
  mask2d: number[];
  mask3d: number[];
  cases2d: { connectivity: number; iterations: number; borderValue: 0 | 1; out: number[] }[];
  casesStack: { connectivity: number; iterations: number; out: number[] }[];
  cases3d: { connectivity: number; iterations: number; out: number[] }[];
}
const fx = loadFixture<{ erosion: ErosionFx }>("postprocess").erosion;

Deno.test("binaryErosion2d() matches scipy for cross/square elements, 1-2 iterations, both border values", () => {
  for (const c of fx.cases2d) {
    const out = binaryErosion2d(fx.mask2d, fx.height, fx.width, c);
    assertArrayEqual(
      out,
      c.out,
      `conn ${c.connectivity} it ${c.iterations} border ${c.borderValue}`,
    );
    assert(out.some((v) => v === 1) || c.out.every((v) => v === 0), "degenerate fixture");
  }
});

Deno.test("binaryErosion2d() erodes each slice of a stack on its own (scipy structure (1,3,3))", () => {
  for (const c of fx.casesStack) {
    assertArrayEqual(
      binaryErosion2d(fx.mask3d, fx.height, fx.width, c),
      c.out,
      `conn ${c.connectivity}`,
    );
  }
});

Deno.test("binaryErosion3d() matches scipy with 6-, 18- and 26-neighbourhoods", () => {
  for (const c of fx.cases3d) {
    const out = binaryErosion3d(fx.mask3d, fx.depth, fx.height, fx.width, c);
    assertArrayEqual(out, c.out, `conn ${c.connectivity} it ${c.iterations}`);
  }
});

Deno.test("binaryErosion2d() fails with swapped axes and rejects bad options", () => {
  const c = fx.cases2d[0];
  const swapped = binaryErosion2d(fx.mask2d, fx.width, fx.height, c);
  assert(swapped.some((v, i) => v !== c.out[i]), "swapped axes went unnoticed");
  assertThrows(
    () => binaryErosion2d(fx.mask2d, fx.height, fx.width, { iterations: 0 }),
    /iterations 0/,
  );
  assertThrows(
    () => binaryErosion2d(fx.mask2d, fx.height, fx.width, { connectivity: 3 }),
    /connectivity 3/,
  );
  assertThrows(() => binaryErosion3d(fx.mask2d, 2, fx.height, fx.width), /depth\*height\*width/);
});
