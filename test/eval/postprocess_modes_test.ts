// Post-processing of a stack of residual slices (src/eval/postprocess/postprocess_stack.ts) in the
// first study's two evaluation modes (src/eval/protocols/reddipalli22.ts): corrected = 2D median
// per slice inside the axially eroded brain; faithful = a 3D median per subject and the brain mask
// eroded in sagittal (z, y) planes, never across subjects. The options combine freely. References
// are naive loops written here.

import { deepStrictEqual, ok as assert, throws } from "node:assert";
import { postprocess, reddipalli22Postprocessing } from "../../src/eval/protocols/reddipalli22.ts";
import {
  postprocessStack,
  type StackPostprocessOptions,
  subjectRuns,
} from "../../src/eval/postprocess/postprocess_stack.ts";
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

/** Sagittal-plane reference: for each x, the subject's plane [Z, H] eroded in 2D. */
function erodeSagittal(brain: Uint8Array, it: number): Uint8Array {
  const want = new Uint8Array(Z * H * W);
  for (let x = 0; x < W; x++) {
    const plane = new Uint8Array(Z * H);
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < H; y++) plane[z * H + y] = brain[(z * H + y) * W + x];
    }
    const e = erode(plane, Z, H, it);
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < H; y++) want[(z * H + y) * W + x] = e[z * H + y];
    }
  }
  return want;
}

Deno.test("postprocessStack, corrected: 2D median per slice, axial erosion, 0 outside", () => {
  const { res, brain } = subjectData(1);
  const corrected = reddipalli22Postprocessing(5, false);
  const { maps, eroded } = postprocessStack(res, brain, new Array(Z).fill("a"), H, W, corrected);
  const med = medianFilter2d(res, H, W, 5);
  for (let z = 0; z < Z; z++) {
    const want = erode(brain.subarray(z * H * W, (z + 1) * H * W), H, W, 5);
    deepStrictEqual(eroded.subarray(z * H * W, (z + 1) * H * W), want, `slice ${z}`);
  }
  for (let i = 0; i < maps.length; i++) deepStrictEqual(maps[i], eroded[i] ? med[i] : 0);
});

Deno.test("postprocessStack, faithful: 3D median per subject, sagittal erosion", () => {
  const a = subjectData(2), b = subjectData(3);
  const res = new Float32Array(2 * Z * H * W), brain = new Uint8Array(2 * Z * H * W);
  res.set(a.res);
  res.set(b.res, Z * H * W);
  brain.set(a.brain);
  brain.set(b.brain, Z * H * W);
  const ids = [...new Array(Z).fill("a"), ...new Array(Z).fill("b")];
  const faithful = reddipalli22Postprocessing(3, true);
  const { maps, eroded } = postprocessStack(res, brain, ids, H, W, faithful);
  for (const [s, d] of [[0, a], [1, b]] as const) {
    const off = s * Z * H * W;
    const med = medianFilter3d(d.res, Z, H, W, 3); // per subject: no window crosses subjects
    const want = erodeSagittal(d.brain, 5);
    deepStrictEqual(eroded.subarray(off, off + Z * H * W), want, `subject ${s}`);
    for (let i = 0; i < Z * H * W; i++) {
      deepStrictEqual(maps[off + i], want[i] ? med[i] : 0);
    }
  }
  // The two modes differ on the same input.
  const c = postprocessStack(res, brain, ids, H, W, reddipalli22Postprocessing(3, false));
  assert(c.eroded.some((v, i) => v !== eroded[i]));
});

Deno.test("postprocessStack: the modes' options, and the mixed ones", () => {
  deepStrictEqual(reddipalli22Postprocessing(9, false), {
    medianFilter: 9,
    median: "2d",
    erode: 5,
    erosionPlanes: "axial",
  });
  deepStrictEqual(reddipalli22Postprocessing(5, true), {
    medianFilter: 5,
    median: "3d",
    erode: 5,
    erosionPlanes: "sagittal",
  });
  const { res, brain } = subjectData(4);
  const ids = new Array(Z).fill("a");
  // 3D median with axial erosion, 2 iterations.
  const a = postprocessStack(res, brain, ids, H, W, {
    medianFilter: 3,
    median: "3d",
    erode: 2,
    erosionPlanes: "axial",
  });
  const med3 = medianFilter3d(res, Z, H, W, 3);
  for (let z = 0; z < Z; z++) {
    const want = erode(brain.subarray(z * H * W, (z + 1) * H * W), H, W, 2);
    deepStrictEqual(a.eroded.subarray(z * H * W, (z + 1) * H * W), want, `slice ${z}`);
  }
  for (let i = 0; i < a.maps.length; i++) deepStrictEqual(a.maps[i], a.eroded[i] ? med3[i] : 0);
  // 2D median with sagittal erosion, 1 iteration.
  const b = postprocessStack(res, brain, ids, H, W, {
    medianFilter: 5,
    median: "2d",
    erode: 1,
    erosionPlanes: "sagittal",
  });
  const med2 = medianFilter2d(res, H, W, 5), want = erodeSagittal(brain, 1);
  deepStrictEqual(b.eroded, want);
  for (let i = 0; i < b.maps.length; i++) deepStrictEqual(b.maps[i], want[i] ? med2[i] : 0);
  // The protocol's own entry point is the stack post-processing of its mode.
  deepStrictEqual(
    postprocess(res, brain, ids, H, W, 3, true),
    postprocessStack(res, brain, ids, H, W, reddipalli22Postprocessing(3, true)),
  );
});

Deno.test("postprocessStack: subject runs and refused options", () => {
  deepStrictEqual(subjectRuns(["a", "a", "b", "a", "a"]), [[0, 2], [2, 3], [3, 5]]);
  deepStrictEqual(subjectRuns([]), []);
  const { res, brain } = subjectData(5);
  const ids = new Array(Z).fill("a");
  const ok: StackPostprocessOptions = {
    medianFilter: 3,
    median: "2d",
    erode: 1,
    erosionPlanes: "axial",
  };
  const bad = (o: Partial<StackPostprocessOptions>, re: RegExp) =>
    throws(() => postprocessStack(res, brain, ids, H, W, { ...ok, ...o }), re);
  bad({ medianFilter: 4 }, /median filter size 4/);
  bad({ erode: 0 }, /erode 0/);
  bad({ median: "4d" as "2d" }, /median "4d"/);
  bad({ erosionPlanes: "coronal" as "axial" }, /erosionPlanes "coronal"/);
  throws(() => postprocessStack(res, brain, ids.slice(1), H, W, ok), /subject ids/);
  throws(() => postprocessStack(res, brain.subarray(1), ids, H, W, ok), /brain-mask values/);
});
