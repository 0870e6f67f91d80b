// The pairs layout from the command line, as README.md shows it: `train --data IMAGES
// --data.masksDir MASKS` (a config field, so eval reads it from the run's config.json): images
// with a mask of the same name are pathological, the others healthy, and training sees only the
// healthy ones. A masks folder that is not there is refused naming the flag.

import { assert, assertEquals, assertRejects } from "../assert.ts";
import { tempDir } from "../temp_dir.ts";
import { writeTinyNiftiSet } from "../train/_tiny_data.ts";
import { writeNifti } from "../../src/data/nifti/write_nifti.ts";
import { resolveConfig } from "../../src/train/resolve_config.ts";
import { loadTrainData } from "../../src/train/train_data.ts";
import { loadSlices } from "../../src/data/load_slices.ts";
import { userCacheDir } from "../../src/data/cache_dir.ts";

const DIMS = [40, 48, 12];

async function pairs(): Promise<{ images: string; masks: string }> {
  const tmp = await tempDir("neurad-pairs-");
  const images = `${tmp}/images`, masks = `${tmp}/masks`;
  await writeTinyNiftiSet(images, 8, DIMS);
  Deno.mkdirSync(masks);
  const [X, Y, Z] = DIMS;
  const data = new Float32Array(X * Y * Z);
  for (let z = 4; z < 8; z++) {
    for (let y = 20; y < 28; y++) data.fill(1, 16 + X * (y + Y * z), 24 + X * (y + Y * z));
  }
  const affine = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];
  for (const s of [5, 6, 7]) {
    const id = `IXI${900 + s}-TEST-${s}`;
    await writeNifti(`${masks}/${id}_mask.nii.gz`, { data, dims: DIMS, pixdim: [2, 2, 2], affine });
  }
  return { images, masks };
}

Deno.test("train --data IMAGES --data.masksDir MASKS: the pairs layout, healthy images only for training", async () => {
  const { images, masks } = await pairs();
  const extra = { "data.masksDir": masks, "data.preprocess": '{"smoothing":"none"}' };
  const config = await resolveConfig({ preset: "demo", dataDir: images, extra });
  assertEquals(config.data.masksDir, masks);
  const all = await loadSlices(images, {
    split: "all",
    masksDir: masks,
    preprocess: { smoothing: "none" },
    cacheDir: userCacheDir(),
    quiet: true,
  });
  const pathological = all.subjects.filter((s) => s.pathological).map((s) => s.id).sort();
  assertEquals(pathological, ["IXI905-TEST-5", "IXI906-TEST-6", "IXI907-TEST-7"]);
  assert(all.subjects.every((s) => s.layout === "pairs"), "layout");
  const d = await loadTrainData(config.data, true);
  const ref = await loadSlices(images, {
    split: "train",
    cohort: "healthy",
    masksDir: masks,
    preprocess: { smoothing: "none" },
    cacheDir: userCacheDir(),
    quiet: true,
  });
  assert(ref.subjects.every((s) => !s.pathological) && ref.N > 0, "healthy training subjects");
  assertEquals(d.train.N, ref.N, "training slices: the healthy pairs' training split");
  // Without the masks folder the same images are 8 healthy IXI subjects, split otherwise.
  const plain = await resolveConfig({
    preset: "demo",
    dataDir: images,
    extra: { "data.preprocess": '{"smoothing":"none"}' },
  });
  const e = await loadTrainData(plain.data, true);
  assert(e.train.N !== d.train.N, `${e.train.N} training slices either way`);
});

Deno.test("--data.masksDir that is not a folder is refused naming the flag", async () => {
  const { images } = await pairs();
  await assertRejects(
    () =>
      resolveConfig({
        preset: "demo",
        dataDir: images,
        extra: { "data.masksDir": "/nonexistent" },
      }),
    /^--data\.masksDir: \/nonexistent: no such folder$/,
  );
  await assertRejects(
    () =>
      resolveConfig({
        preset: "chandru25-vqgan",
        dataDir: images,
        extra: { "data.masksDir": images },
      }),
    /^--data\.masksDir: unknown config field 'data\.masksDir'$/,
  );
});
