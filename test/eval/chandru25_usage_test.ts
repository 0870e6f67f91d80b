// Codebook usage of a 2D (second study) evaluation: scoreStack counts the code of every test
// latent of a VQ model (the report's codebook-usage chart, which the README promises for VQ
// models and 2D runs lacked), from the same forward pass that gives the scored reconstruction,
// so the scores equal those of model.reconstruct; a model without codes counts none.

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { noGrad } from "../../src/core/autograd.ts";
import { Prng } from "../../src/core/prng.ts";
import { tidy } from "../../src/core/scope.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder, Discriminator } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import { scoreStack } from "../../src/eval/scoring/chandru25_score.ts";
import { openScoreVgg } from "../../src/eval/scoring/score_vgg.ts";
import { setup } from "../helpers.ts";

Deno.test("scoreStack(): a VQGAN's code counts per code, scores as reconstruct() gives", async () => {
  await setup();
  const H = 16, N = 5, K = 8, rng = new Prng(11);
  const images = Float32Array.from({ length: N * H * H }, () => rng.next() * 2 - 1);
  const model = createModel<Module & Autoencoder>("chandru25-vqgan", {
    widthMultiplier: 0.0625,
    numCodes: K,
    imageSize: 16,
  });
  const disc = createModel<Module & Discriminator>("chandru25-discriminator", {
    widthMultiplier: 0.125,
  });
  const V = await openScoreVgg({ seed: 3, widthMultiplier: 0.0625 });
  model.eval();
  const nets = { model, vgg: V.vgg, disc };
  const r = await scoreStack(nets, images, N, H, H, { batch: 2 });
  ok(r.codeCounts, "a VQ model's codes are counted");
  strictEqual(r.codeCounts!.length, K);
  // The codes of the same images, read from forward() here, batch by batch as scoreStack runs.
  const want = new Float64Array(K);
  let latents = 0;
  for (let i = 0; i < N; i += 2) {
    const k = Math.min(2, N - i), host = new Float32Array(k * 3 * H * H);
    for (let n = 0; n < k; n++) {
      for (let c = 0; c < 3; c++) {
        host.set(images.subarray((i + n) * H * H, (i + n + 1) * H * H), (n * 3 + c) * H * H);
      }
    }
    const x = Tensor.from(host, [k, 3, H, H]);
    const idx = tidy(() => noGrad(() => model.forward(x).indices!));
    for (const v of await idx.toArray()) want[v]++;
    latents += idx.size;
    x.dispose();
    idx.dispose();
  }
  deepStrictEqual([...r.codeCounts!], [...want]);
  strictEqual(r.codeCounts!.reduce((a, b) => a + b, 0), latents);
  // The same model behind a family without codes scores through reconstruct(): same scores.
  const plain = Object.assign(Object.create(model), { family: "vae" as const }) as Autoencoder;
  const p = await scoreStack({ ...nets, model: plain }, images, N, H, H, { batch: 2 });
  strictEqual(p.codeCounts, undefined);
  deepStrictEqual(p.scores, r.scores);
  for (const m of [model, disc, V.vgg]) m.dispose();
});
