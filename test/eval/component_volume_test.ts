// The component side of detect's verdict, calibrated by eval: the largest 3D component of each
// healthy validation volume's thresholded map, in mm³ (voxel = scan voxel / preprocessing scale),
// slices stacked by their index (a slice eval left out breaks a component), and the (1 − fpr)
// quantile of those volumes with how many volumes calibrated it and how many of them the
// combined rule (score OR component) calls anomalous.

import { deepStrictEqual, strictEqual } from "node:assert";
import type { SliceSet } from "../../src/data/load_slices.ts";
import {
  calibrateComponentVolume,
  largestComponentsMm3,
  largestComponentVoxels,
} from "../../src/eval/component_volume.ts";
import { quantile } from "../../src/util/quantile.ts";

const H = 6, W = 5, plane = H * W;

Deno.test("largestComponentVoxels: 26-connected, diagonal neighbours join", () => {
  const m = new Uint8Array(2 * plane);
  m[0] = 1; // (z0, y0, x0)
  m[plane + W + 1] = 1; // (z1, y1, x1): diagonal to it
  m[3 * W + 4] = 1; // apart
  strictEqual(largestComponentVoxels(m, 2, H, W), 2);
  strictEqual(largestComponentVoxels(new Uint8Array(plane), 1, H, W), 0);
});

Deno.test("largestComponentsMm3 and calibrateComponentVolume", () => {
  // Subject a: slices 3, 4, 6 (5 left out), a column of 3 voxels through 3, 4 and 6: 2 joined.
  // Subject b: slices 0, 1, one voxel on each, not overlapping diagonally: 1 each.
  const ids = ["a", "a", "a", "b", "b"], z = [3, 4, 6, 0, 1];
  const maps = new Float32Array(ids.length * plane);
  for (const s of [0, 1, 2]) maps[s * plane + 2 * W + 2] = 0.9;
  maps[3 * plane] = 0.9;
  maps[4 * plane + 4 * W + 4] = 0.9;
  maps[4 * plane + 4 * W + 3] = 0.1; // under the pixel threshold
  const affine = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  const set = {
    H,
    W,
    N: ids.length,
    subjectIds: ids,
    sliceIndex: z,
    subjects: ["a", "b"].map((id) => ({ id, geometry: { scanAffine: affine, scale: 0.5 } })),
  } as unknown as SliceSet;
  // Voxels of 2 mm: 8 mm³.
  deepStrictEqual(largestComponentsMm3(set, maps, ["a", "b"], 0.5), [16, 8]);
  const largest = [16, 8, 400, 30];
  const c = calibrateComponentVolume(largest, 0.5, 0.05, [1, 1, 1, 5], 2)!;
  strictEqual(c.thresholdMm3, quantile(largest, 0.95));
  deepStrictEqual(
    [c.rule, c.fpr, c.calibrationVolumes, c.pixelThreshold, c.healthyMaxMm3],
    ["quantile", 0.05, 4, 0.5, 400],
  );
  // Volume 3 (400 mm³) is over the component threshold, volume 4 over the score threshold.
  strictEqual(c.combinedFalsePositives, 2);
  strictEqual(calibrateComponentVolume([8, NaN], 0.5, 0.05, [1, 1], 2), undefined);
});
