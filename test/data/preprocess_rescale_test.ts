/** rescaleGrid() and percentiles() against skimage / numpy fixtures; crop/pad inverse. */
import assert from "node:assert/strict";
import { cropPad, percentiles, rescaleGrid, uncropPad } from "../../src/data/mod.ts";
import { assertClose } from "../assert.ts";
import { gaussianBlur } from "../../src/data/preprocess/rescale.ts";
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

/** The blur written plainly: per axis, per voxel, the mirrored taps summed in order in a double. */
function naiveBlur(data: Float32Array, dims: number[], sigma: number[]): Float32Array {
  let cur = data;
  for (let axis = 0; axis < 3; axis++) {
    const sg = sigma[axis];
    if (!(sg > 0)) continue;
    const r = Math.floor(4 * sg + 0.5);
    const k: number[] = [];
    let s = 0;
    for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-0.5 * (i * i) / (sg * sg));
    for (let i = 0; i < k.length; i++) k[i] /= s;
    const n = dims[axis], out = new Float32Array(cur.length);
    const mirror = (i: number) => {
      if (n === 1) return 0;
      const p = 2 * (n - 1), j = ((i % p) + p) % p;
      return j < n ? j : p - j;
    };
    for (let z = 0; z < dims[2]; z++) {
      for (let y = 0; y < dims[1]; y++) {
        for (let x = 0; x < dims[0]; x++) {
          const c = [x, y, z];
          let acc = 0;
          for (let j = 0; j < k.length; j++) {
            const q = [...c];
            q[axis] = mirror(c[axis] + j - r);
            acc += k[j] * cur[q[0] + dims[0] * (q[1] + dims[1] * q[2])];
          }
          out[x + dims[0] * (y + dims[1] * z)] = acc;
        }
      }
    }
    cur = out;
  }
  return cur;
}

Deno.test("gaussianBlur() equals the plain per-voxel blur exactly, zero background skipped", () => {
  for (const dims of [[19, 23, 17], [1, 6, 9], [12, 1, 3], [5, 4, 1]]) {
    const n = dims[0] * dims[1] * dims[2];
    // A blob of signal in zeros, with an all-zero row and plane through it.
    const data = Float32Array.from({ length: n }, (_, i) => {
      const x = i % dims[0], y = Math.floor(i / dims[0]) % dims[1];
      const z = Math.floor(i / (dims[0] * dims[1]));
      if (y === 2 || z === 1) return 0;
      const d = [x / dims[0], y / dims[1], z / dims[2]].reduce((a, v) => a + (v - 0.5) ** 2, 0);
      return d < 0.12 ? Math.sin(i * 0.37) * 100 + (i % 13) : 0;
    });
    for (const sigma of [[0.5, 0.5, 0.5], [1.2, 0, 2], [0, 0.7, 0]]) {
      const got = gaussianBlur({ data, dims: dims as [number, number, number] }, sigma).data;
      const want = naiveBlur(data, dims, sigma);
      for (let i = 0; i < n; i++) {
        if (!Object.is(got[i], want[i])) {
          assert.fail(`dims ${dims} σ ${sigma}: voxel ${i} ${got[i]} != ${want[i]}`);
        }
      }
    }
  }
});
