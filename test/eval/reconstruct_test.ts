// reconstructStack (eval's and detect's batched GPU reconstruction) against the model's own
// reconstruct() on the same slices: residual maps (absolute and positive part), per-slice errors
// across a batch boundary (5 slices, batch 2), and codebook counts for a VQ family.

import { deepStrictEqual, ok as assert } from "node:assert";
import { noGrad } from "../../src/core/autograd.ts";
import { reconstructStack } from "../../src/eval/scoring/reconstruct.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { hostRandom, setup } from "../helpers.ts";

const [N, H, W] = [5, 95, 79];

async function reference(model: Autoencoder, images: Float32Array) {
  model.eval();
  const x = Tensor.from(images, [N, 1, H, W]);
  const r = noGrad(() => model.reconstruct(x));
  const out = await r.toArray() as Float32Array;
  x.dispose();
  r.dispose();
  return out;
}

Deno.test("reconstructStack: residuals and slice errors match reconstruct(), any batch", async () => {
  await setup();
  const m = createModel<Module & Autoencoder>("reddipalli22-vae", {
    latentDim: 32,
    widthMultiplier: 0.125,
  });
  const images = Float32Array.from(hostRandom(N * H * W, 3), (v) => (v + 1) / 2);
  const rec = await reference(m, images);
  for (const residual of ["absolute", "positive"] as const) {
    const r = await reconstructStack(m, images, [N, 1, H, W], { batch: 2, residual });
    deepStrictEqual(r.codeCounts, undefined);
    let worst = 0;
    for (let i = 0; i < images.length; i++) {
      const d = images[i] - rec[i];
      const want = residual === "absolute" ? Math.abs(d) : Math.max(d, 0);
      worst = Math.max(
        worst,
        Math.abs(r.residuals[i] - want),
        Math.abs(r.reconstructions[i] - rec[i]),
      );
    }
    assert(worst < 1e-5, `${residual}: max deviation ${worst}`);
    for (let s = 0; s < N; s++) {
      let e = 0;
      for (let p = 0; p < H * W; p++) e += Math.abs(images[s * H * W + p] - rec[s * H * W + p]);
      assert(Math.abs(r.sliceErrors[s] - e / (H * W)) < 1e-6, `slice ${s}`);
    }
  }
  m.dispose();
});

Deno.test("reconstructStack: a VQ model's code counts cover every latent position", async () => {
  await setup();
  const m = createModel<Module & Autoencoder & { numCodes: number }>("reddipalli22-vqvae", {
    widthMultiplier: 0.25,
    embedDim: 32,
    numCodes: 32,
  });
  const images = Float32Array.from(hostRandom(N * H * W, 4), (v) => (v + 1) / 2);
  const rec = await reference(m, images);
  const r = await reconstructStack(m, images, [N, 1, H, W], { batch: 3 });
  deepStrictEqual(r.codeCounts!.length, 32);
  const x = Tensor.from(images, [N, 1, H, W]);
  const o = noGrad(() => m.forward(x));
  const positions = o.indices!.size;
  for (const t of Object.values(o)) t?.dispose();
  x.dispose();
  deepStrictEqual(r.codeCounts!.reduce((a, b) => a + b, 0), positions);
  let worst = 0;
  for (let i = 0; i < rec.length; i++) {
    worst = Math.max(worst, Math.abs(r.reconstructions[i] - rec[i]));
  }
  assert(worst < 1e-5, `max deviation ${worst}`);
  m.dispose();
});
