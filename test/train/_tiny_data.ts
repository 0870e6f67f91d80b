// Tiny datasets for training tests: IXI-layout NIfTI volumes small enough to preprocess in a
// blink (smoothing off), each a noisy ellipsoid "brain" whose axial slices pad to the 95×79 grid;
// and in-memory TrainData of random images for in-process trainer tests.

import { writeNifti } from "../../src/data/nifti/write_nifti.ts";
import { Prng } from "../../src/core/prng.ts";
import type { TrainData } from "../../src/train/train_data.ts";

/** Writes `n` healthy IXI subjects of dims [x, y, z] under `dir`. */
export async function writeTinyNiftiSet(dir: string, n = 10, dims = [40, 48, 12]): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const [X, Y, Z] = dims;
  for (let s = 0; s < n; s++) {
    const rng = new Prng(1000 + s);
    const data = new Float32Array(X * Y * Z);
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < Y; y++) {
        for (let x = 0; x < X; x++) {
          const r = ((x - X / 2) / (X / 2.2)) ** 2 + ((y - Y / 2) / (Y / 2.2)) ** 2 +
            ((z - Z / 2) / (Z / 1.5)) ** 2;
          data[x + X * (y + Y * z)] = r < 1 ? 100 + 50 * Math.cos(x / 3) + 10 * rng.next() : 0;
        }
      }
    }
    const affine = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];
    const id = `IXI${String(900 + s).padStart(3, "0")}-TEST-${s}`;
    await writeNifti(`${dir}/${id}-T1.nii.gz`, { data, dims, pixdim: [2, 2, 2], affine });
  }
}

/** Random smooth images [n, 1, H, W] in [0, 1], one group per image. */
export function tinyTrainData(n: number, H = 95, W = 79, seed = 1): TrainData {
  const rng = new Prng(seed);
  const mk = (k: number) => {
    const images = new Float32Array(k * H * W);
    for (let i = 0; i < k; i++) {
      const a = rng.next() * 6, b = rng.next() * 6;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          images[i * H * W + y * W + x] = 0.5 + 0.4 * Math.sin(a + y / 9) * Math.cos(b + x / 7);
        }
      }
    }
    return { images, N: k, H, W, groups: Array.from({ length: k }, (_, i) => [i]) };
  };
  return { train: mk(n), val: mk(2), shape: [1, H, W], hash: `tiny-${n}-${seed}` };
}
