// labelComponents2d/3d() against scipy.ndimage.label; removeSmallComponents() and
// removeSmallComponents3d() against skimage.

import {
  labelComponents2d,
  labelComponents3d,
  removeSmallComponents,
  removeSmallComponents3d,
} from "../../src/eval/mod.ts";
import { assert, assertArrayEqual, assertEquals, assertThrows, loadFixture } from "./_helpers.ts";

interface CompFx {
  height: number;
  width: number;
  mask2d: number[];
  depth: number;
  height3d: number;
  width3d: number;
  mask3d: number[];
  label2d: Record<string, { count: number; labels: number[] }>;
  labelStack: Record<string, { count: number; labels: number[] }>;
  label3d: Record<string, { count: number; labels: number[] }>;
  removeSmall: { connectivity: number; minSize: number; out: number[] }[];
  removeSmallStack: { connectivity: number; minSize: number; out: number[] }[];
  mask3dSparse: number[];
  removeSmall3d: { connectivity: number; minSize: number; out: number[] }[];
}
const fx = loadFixture<{ components: CompFx }>("postprocess").components;

Deno.test("labelComponents2d() numbers components like scipy.ndimage.label (4 and 8)", () => {
  for (const conn of [4, 8]) {
    const r = labelComponents2d(fx.mask2d, fx.height, fx.width, conn), ref = fx.label2d[conn];
    assertEquals(r.count, ref.count, `count ${conn}`);
    assertArrayEqual(r.labels, ref.labels, `labels ${conn}`);
    assertEquals(r.sizes.reduce((a, b) => a + b, 0), fx.mask2d.reduce((a, b) => a + b, 0));
  }
});

Deno.test("labelComponents2d() labels each slice of a stack on its own", () => {
  for (const conn of [4, 8]) {
    const r = labelComponents2d(fx.mask3d, fx.height3d, fx.width3d, conn);
    assertArrayEqual(r.labels, fx.labelStack[conn].labels, `stack ${conn}`);
  }
});

Deno.test("labelComponents3d() matches scipy with 6-, 18- and 26-connectivity", () => {
  for (const conn of [6, 18, 26]) {
    const r = labelComponents3d(fx.mask3d, fx.depth, fx.height3d, fx.width3d, conn);
    assertEquals(r.count, fx.label3d[conn].count, `count ${conn}`);
    assertArrayEqual(r.labels, fx.label3d[conn].labels, `labels ${conn}`);
  }
});

Deno.test("removeSmallComponents() matches skimage remove_small_objects (min size 0-50, conn 4/8)", () => {
  for (const c of fx.removeSmall) {
    const out = removeSmallComponents(fx.mask2d, fx.height, fx.width, c.minSize, c.connectivity);
    assertArrayEqual(out, c.out, `min ${c.minSize} conn ${c.connectivity}`);
  }
  for (const c of fx.removeSmallStack) {
    const out = removeSmallComponents(
      fx.mask3d,
      fx.height3d,
      fx.width3d,
      c.minSize,
      c.connectivity,
    );
    assertArrayEqual(out, c.out, `stack conn ${c.connectivity}`);
  }
  const def = fx.removeSmall.find((c) => c.minSize === 7 && c.connectivity === 8)!;
  assertArrayEqual(
    removeSmallComponents(fx.mask2d, fx.height, fx.width),
    def.out,
    "defaults 7 and 8",
  );
});

Deno.test("removeSmallComponents() fails with swapped axes and rejects bad input", () => {
  const c = fx.removeSmall.find((c) => c.minSize === 7 && c.connectivity === 8)!;
  const swapped = removeSmallComponents(fx.mask2d, fx.width, fx.height, 7, 8);
  assert(swapped.some((v, i) => v !== c.out[i]), "swapped axes went unnoticed");
  assertThrows(() => removeSmallComponents(fx.mask2d, fx.height, fx.width, 7, 6), /connectivity 6/);
  assertThrows(() => removeSmallComponents([0, 2], 1, 2), /mask\[1\] is 2/);
  assertThrows(() => labelComponents3d([0, 1], 1, 1, 1), /depth\*height\*width/);
});

Deno.test("removeSmallComponents3d() matches skimage remove_small_objects in 3D (6, 18, 26)", () => {
  for (const c of fx.removeSmall3d) {
    const out = removeSmallComponents3d(
      fx.mask3dSparse,
      fx.depth,
      fx.height3d,
      fx.width3d,
      c.minSize,
      c.connectivity,
    );
    assertArrayEqual(out, c.out, `min ${c.minSize} conn ${c.connectivity}`);
  }
  const def = fx.removeSmall3d.find((c) => c.minSize === 7 && c.connectivity === 26)!;
  assertArrayEqual(
    removeSmallComponents3d(fx.mask3dSparse, fx.depth, fx.height3d, fx.width3d),
    def.out,
    "defaults 7 and 26",
  );
});

Deno.test("removeSmallComponents3d(): 7 voxels across slices stay at minSize 7, go at 8", () => {
  // A diagonal chain of 7 voxels through 3 slices (26-connected only) and a lone voxel.
  const D = 3, H = 4, W = 5, m = new Uint8Array(D * H * W);
  const at = (z: number, y: number, x: number) => (m[z * H * W + y * W + x] = 1);
  at(0, 0, 0), at(0, 0, 1), at(1, 1, 2), at(1, 1, 3), at(2, 2, 4), at(2, 3, 4), at(2, 3, 3);
  at(0, 3, 0);
  const sum = (a: Uint8Array) => a.reduce((x, y) => x + y, 0);
  assertEquals(sum(removeSmallComponents3d(m, D, H, W, 7, 26)), 7);
  assertEquals(sum(removeSmallComponents3d(m, D, H, W, 8, 26)), 0);
  assertEquals(sum(removeSmallComponents3d(m, D, H, W, 7, 6)), 0, "6-connected: pieces of 2-3");
  assertThrows(() => removeSmallComponents3d(m, D, H, W, -1), /minSize -1/);
});
