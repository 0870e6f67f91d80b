// readPth / loadWeights against files written by PyTorch (tools/fixtures/pth_fixtures.py), the
// refusal of a malicious pickle, and VGG16 features / LPIPS loaded from .pth files giving
// PyTorch's outputs and input gradients.

import { deepStrictEqual, ok as assert, rejects } from "node:assert";
import { existsSync } from "node:fs";
import { mul, sum, Tensor, tidy } from "../../src/mod.ts";
import { createModel } from "../../src/app.ts";
import { readPth } from "../../src/io/pth/read_pth.ts";
import { loadLpipsWeights, loadWeights } from "../../src/io/load_weights.ts";
import { readSafetensors } from "../../src/io/safetensors.ts";
import type { Vgg16Features } from "../../src/models/perceptual/vgg16_features.ts";
import type { Lpips } from "../../src/models/perceptual/lpips.ts";
import { assertClose, setup } from "../helpers.ts";

const DIR = new URL("../fixtures/pth/", import.meta.url).pathname;
const expected = (await readSafetensors(`${DIR}expected.safetensors`)).tensors;
const ref = (k: string) => expected.get(k)!;
const upload = (k: string) => Tensor.from(ref(k).data as Float32Array, ref(k).shape);

Deno.test("readPth() rebuilds a torchvision state dict exactly (names, shapes, values)", async () => {
  const sd = await readPth(`${DIR}vgg_small.pth`);
  const keys = [...expected.keys()].filter((k) => k.startsWith("vgg_small/"));
  deepStrictEqual([...sd.keys()].sort(), keys.map((k) => k.slice(10)).sort());
  for (const k of keys) {
    const t = sd.get(k.slice(10))!;
    deepStrictEqual(t.shape, ref(k).shape);
    deepStrictEqual([...t.data], [...ref(k).data]);
  }
});

Deno.test("readPth() picks a Lightning state_dict by prefix; f16, f64, int64, strided and shared storages", async () => {
  const sd = await readPth(`${DIR}lightning.ckpt`, { prefix: "model." });
  deepStrictEqual(
    [...sd.keys()].sort(),
    ["bn.num_batches_tracked", "bn.weight", "conv.weight", "double", "half", "slice", "transposed"],
  );
  for (const [k, t] of sd) {
    const r = ref(`lightning/model.${k}`);
    deepStrictEqual(t.shape, r.shape, k);
    assertClose(t.data as Float32Array, r.data as Float32Array, { atol: 1e-6, name: k });
  }
  assert(sd.get("bn.num_batches_tracked")!.dtype === "I32");
  assert((sd.get("bn.num_batches_tracked")!.data as Int32Array)[0] === 3);
  const all = await readPth(`${DIR}lightning.ckpt`);
  assert(all.has("disc.weight") && all.has("model.conv.weight"));
  await rejects(readPth(`${DIR}lightning.ckpt`, { prefix: "nope." }), /no tensor names start/);
});

Deno.test("readPth() refuses a pickle that calls os.system, without running it", async () => {
  const marker = "/tmp/neurad-pwned";
  try {
    Deno.removeSync(marker);
  } catch { /* absent */ }
  await rejects(
    readPth(`${DIR}malicious.pth`),
    (e: Error) => /malicious\.pth: refusing to load global '(posix|os)\.system'/.test(e.message),
  );
  assert(!existsSync(marker), "the payload ran");
  await rejects(readPth(`${DIR}expected.safetensors`), /not a PyTorch checkpoint/);
  await rejects(readPth(`${DIR}missing.pth`), /missing\.pth: cannot read/);
});

Deno.test("vgg16-features loads a torchvision .pth and matches PyTorch to conv3_3 (pre-ReLU), with input gradients", async () => {
  await setup();
  const vgg = createModel<Vgg16Features>("vgg16-features", {
    upTo: "conv3_3",
    widthMultiplier: 0.125,
  });
  await loadWeights(vgg, `${DIR}vgg_small.pth`);
  const x = upload("out/vgg_x");
  x.requiresGrad = true;
  const y = vgg.forward(x);
  assertClose(await y.toArray() as Float32Array, ref("out/vgg_conv3_3").data as Float32Array, {
    scaleTol: 1e-4,
    name: "conv3_3",
  });
  const loss = tidy(() => sum(mul(y, upload("out/vgg_r"))));
  loss.backward();
  assertClose(await x.grad!.toArray() as Float32Array, ref("out/vgg_grad_x").data as Float32Array, {
    scaleTol: 1e-3,
    name: "grad x",
  });
  for (const t of [x, y, loss]) t.dispose();
  vgg.dispose();
  const fullWidth = createModel<Vgg16Features>("vgg16-features");
  await rejects(
    loadWeights(fullWidth, `${DIR}vgg_small.pth`),
    /vgg_small\.pth: .*(missing|shape)/,
  );
  fullWidth.dispose();
});

Deno.test("lpips loads trunk + heads from two .pth files and matches PyTorch (distance and gradient)", async () => {
  await setup();
  const lp = createModel<Lpips>("lpips", { widthMultiplier: 0.125 });
  await loadLpipsWeights(lp, `${DIR}lpips_trunk_small.pth,${DIR}lpips_heads_small.pth`);
  const a = upload("out/lpips_a");
  a.requiresGrad = true;
  const b = upload("out/lpips_b");
  const d = lp.forward(a, b);
  deepStrictEqual(d.shape, [2, 1, 1, 1]);
  assertClose(await d.toArray() as Float32Array, ref("out/lpips_dist").data as Float32Array, {
    scaleTol: 1e-4,
    name: "distance",
  });
  const s = sum(d);
  s.backward();
  assertClose(
    await a.grad!.toArray() as Float32Array,
    ref("out/lpips_grad_a").data as Float32Array,
    {
      scaleTol: 1e-3,
      name: "grad a",
    },
  );
  for (const t of [a, b, d, s]) t.dispose();
  await rejects(
    loadLpipsWeights(lp, `${DIR}lpips_trunk_small.pth`),
    /LPIPS weights incomplete: missing lin0/,
  );
  lp.dispose();
});
