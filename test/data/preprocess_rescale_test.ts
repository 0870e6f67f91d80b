/** rescaleGrid() and percentiles() against skimage / numpy fixtures; crop/pad inverse. */
import assert from "node:assert/strict";
import { cropPad, percentiles, rescaleGrid, uncropPad } from "../../src/data/mod.ts";
import { assertClose } from "../assert.ts";
import { fixture } from "./_assert_close.ts";

interface Resample {
  input: { dims: [number, number, number]; data: number[] };
  rescaled: { dims: number[]; data: number[] };
  percentile_input: number[];
  percentiles: Record<string, number>;
}
const fx = fixture<Resample>("resample.json");

Deno.test("rescaleGrid() matches skimage rescale(0.5, anti_aliasing=True)", () => {
  const out = rescaleGrid({ data: new Float32Array(fx.input.data), dims: fx.input.dims }, 0.5);
  assert.deepEqual(out.dims, fx.rescaled.dims);
  assertClose(out.data, fx.rescaled.data, { atol: 1e-5, rtol: 1e-5, name: "rescaled" });
});

Deno.test("percentiles() matches numpy.percentile (linear)", () => {
  const qs = Object.keys(fx.percentiles).map(Number);
  const got = percentiles(new Float32Array(fx.percentile_input), qs);
  assertClose(got, qs.map((q) => fx.percentiles[String(q)]), {
    atol: 1e-6,
    rtol: 1e-6,
    name: "percentiles",
  });
});

Deno.test("percentiles() only counts voxels inside the mask", () => {
  const data = new Float32Array([100, 1, 2, 3, -50]);
  const mask = new Uint8Array([0, 1, 1, 1, 0]);
  assert.deepEqual(percentiles(data, [0, 50, 100], mask), [1, 2, 3]);
});

Deno.test("cropPad() then uncropPad() restores the window and zero-fills the rest", () => {
  const dims: [number, number, number] = [7, 5, 4];
  const data = Float32Array.from({ length: 140 }, (_, i) => i + 1);
  const offset = [-2, 1, 1]; // pads 2 in x, crops in y and z
  const win = cropPad({ data, dims }, [6, 3, 5], offset);
  assert.equal(win.data[0], 0, "padding is zero");
  // Voxel (2,0,0) of the window is input voxel (0,1,1).
  assert.equal(win.data[2], data[0 + 7 * (1 + 5 * 1)]);
  const back = uncropPad(win, dims, offset);
  let worst = -1;
  for (let z = 0; z < 4; z++) {
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 7; x++) {
        const i = x + 7 * (y + 5 * z);
        const inside = x - offset[0] < 6 && y >= 1 && y < 4 && z >= 1;
        if (back.data[i] !== (inside ? data[i] : 0)) worst = i;
      }
    }
  }
  assert.equal(worst, -1, `mismatch at ${worst}`);
});
