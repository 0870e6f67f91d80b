// Training data from 2D class folders: only healthy images are trained and validated on, the
// split is the seeded one of loadImages2D, a non-square slice shape is one line, and batches
// replicate the grey channel to the model's C channels.

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { encode } from "fast-png";
import { loadImages2D } from "../../src/data/image2d/load_images2d.ts";
import type { DataConfig } from "../../src/train/run_config.ts";
import { batchTensor, loadTrainData } from "../../src/train/train_data.ts";
import { UserError } from "../../src/core/errors.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";

async function writePngs(dir: string, cls: string, n: number, value: number) {
  await Deno.mkdir(`${dir}/${cls}`, { recursive: true });
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(8 * 8).fill(value + i);
    await Deno.writeFile(
      `${dir}/${cls}/${i}.png`,
      encode({ width: 8, height: 8, data, channels: 1 }),
    );
  }
}

Deno.test("2D class folders: healthy images only, seeded split, channels replicated", async () => {
  await setup();
  const dir = await tempDir();
  await writePngs(dir, "no", 20, 10); // healthy: pixel values 10..29
  await writePngs(dir, "yes", 10, 200); // tumour: 200..209
  const cfg: DataConfig = {
    dir,
    kind: "images2d",
    sliceShape: [3, 8, 8],
    sampling: "all-images",
    splitSeed: 0,
    preprocess: {},
    cacheDir: "",
    maxValImages: 0,
  };
  const d = await loadTrainData(cfg);
  const ref = await loadImages2D(dir, { size: 8, split: "train", seed: 0 });
  strictEqual(d.train.N, ref.healthy.filter((h) => h).length);
  ok(d.train.N > 0 && d.val.N > 0);
  // Every training pixel is a healthy one: (v/255)·2 − 1 with v < 100.
  ok(d.train.images.every((v) => v < (100 / 255) * 2 - 1), "a tumour image was trained on");
  ok(d.val.images.every((v) => v < (100 / 255) * 2 - 1), "a tumour image was validated on");
  const x = batchTensor(d.train, [0, 1], 3);
  deepStrictEqual(x.shape, [2, 3, 8, 8]);
  const a = await x.toArray();
  for (let c = 1; c < 3; c++) {
    deepStrictEqual(a.subarray(c * 64, (c + 1) * 64), a.subarray(0, 64));
  }
  x.dispose();
  await rejects(
    loadTrainData({ ...cfg, sliceShape: [3, 8, 6] }),
    (e) => e instanceof UserError && /--data.sliceShape: 2D images are square/.test(e.message),
  );
});
