// The first study's post-processing in both evaluation modes (src/eval/protocols/reddipalli22.ts
// `postprocess`): corrected = 2D median per slice inside the axially eroded brain; faithful = a 3D
// median per subject and the brain mask eroded in sagittal (z, y) planes, never across subjects.
// References are naive loops written here.

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert";
import { postprocess } from "../../src/eval/protocols/reddipalli22.ts";
import { medianFilter2d, medianFilter3d } from "../../src/eval/postprocess/median_filter.ts";
import { Prng } from "../../src/core/prng.ts";

const [Z, H, W] = [7, 16, 13];

/** Naive 2D cross erosion (border 0) of one plane [h, w], `it` times. */
function erode(src: Uint8Array, h: number, w: number, it: number): Uint8Array {
  let cur = src;
  for (let k = 0; k < it; k++) {
    const out = new Uint8Array(cur.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = (yy: number, xx: number) =>
          yy < 0 || yy >= h || xx < 0 || xx >= w ? 0 : cur[yy * w + xx];
        out[y * w + x] = at(y, x) && at(y - 1, x) && at(y + 1, x) && at(y, x - 1) && at(y, x + 1)
          ? 1
          : 0;
      }
    }
    cur = out;
  }
  return cur;
}

function subjectData(seed: number) {
  const rng = new Prng(seed);
  const res = Float32Array.from({ length: Z * H * W }, () => rng.next());
  const brain = new Uint8Array(Z * H * W);
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const r = ((y - H / 2) / 7.5) ** 2 + ((x - W / 2) / 6) ** 2 + ((z - 3) / 5) ** 2;
        brain[(z * H + y) * W + x] = r < 1 ? 1 : 0;
      }
    }
  }
  return { res, brain };
}

Deno.test("postprocess, corrected: 2D median per slice, axial erosion, 0 outside", () => {
  const { res, brain } = subjectData(1);
  const { maps, eroded } = postprocess(res, brain, new Array(Z).fill("a"), H, W, 5, false);
  const med = medianFilter2d(res, H, W, 5);
  for (let z = 0; z < Z; z++) {
    const want = erode(brain.subarray(z * H * W, (z + 1) * H * W), H, W, 5);
    assertEquals(eroded.subarray(z * H * W, (z + 1) * H * W), want, `slice ${z}`);
  }
  for (let i = 0; i < maps.length; i++) assertEquals(maps[i], eroded[i] ? med[i] : 0);
});

Deno.test("postprocess, faithful: 3D median per subject, sagittal erosion", () => {
  const a = subjectData(2), b = subjectData(3);
  const res = new Float32Array(2 * Z * H * W), brain = new Uint8Array(2 * Z * H * W);
  res.set(a.res);
  res.set(b.res, Z * H * W);
  brain.set(a.brain);
  brain.set(b.brain, Z * H * W);
  const ids = [...new Array(Z).fill("a"), ...new Array(Z).fill("b")];
  const { maps, eroded } = postprocess(res, brain, ids, H, W, 3, true);
  for (const [s, d] of [[0, a], [1, b]] as const) {
    const off = s * Z * H * W;
    const med = medianFilter3d(d.res, Z, H, W, 3); // per subject: no window crosses subjects
    // Sagittal planes: for each x, the plane [Z, H] eroded in 2D.
    const want = new Uint8Array(Z * H * W);
    for (let x = 0; x < W; x++) {
      const plane = new Uint8Array(Z * H);
      for (let z = 0; z < Z; z++) {
        for (let y = 0; y < H; y++) plane[z * H + y] = d.brain[(z * H + y) * W + x];
      }
      const e = erode(plane, Z, H, 5);
      for (let z = 0; z < Z; z++) {
        for (let y = 0; y < H; y++) want[(z * H + y) * W + x] = e[z * H + y];
      }
    }
    assertEquals(eroded.subarray(off, off + Z * H * W), want, `subject ${s}`);
    for (let i = 0; i < Z * H * W; i++) {
      assertEquals(maps[off + i], want[i] ? med[i] : 0);
    }
  }
  // The two modes differ on the same input.
  const c = postprocess(res, brain, ids, H, W, 3, false);
  assert(c.eroded.some((v, i) => v !== eroded[i]));
});
