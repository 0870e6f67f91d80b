// Full-width second-study models (heavy: seconds per image on llvmpipe, run by
// `deno task test-heavy`): the EMA VQGAN in both modes trains a step at 2×3×64×64 and reconstructs
// a 1×3×128×128 test image with finite outputs in [−1, 1] and a finite codebook; the patch
// discriminator gives finite 13×13 logits; the DCGAN generator finite 64×64 images. The
// reduced-width PyTorch comparisons are in test/nn/models_chandru25_test.ts.

import { ok } from "node:assert";
import { deepStrictEqual as assertEquals } from "node:assert";
import { rand, randn, sum, tidy } from "../../src/mod.ts";
import {
  Chandru25Dcgan,
  Chandru25Discriminator,
  Chandru25Vqgan,
} from "../../src/models/chandru25/registry.ts";
import { setup } from "../helpers.ts";

const T = { sanitizeResources: false, sanitizeOps: false };

async function finite(t: { toArray(): Promise<unknown> }, bound = Infinity) {
  const a = await t.toArray() as Float32Array;
  return a.every((v) => Number.isFinite(v) && Math.abs(v) <= bound);
}

for (const mode of ["faithful", "corrected"] as const) {
  Deno.test({
    ...T,
    name: `chandru25-vqgan (${mode}) full width: training step at 64 px, test image at 128 px`,
    async fn() {
      await setup();
      const m = new Chandru25Vqgan({ mode });
      const x = rand([2, 3, 64, 64]);
      const out = m.forward(x);
      const l = tidy(() => sum(out.recon));
      l.backward();
      ok(await finite(out.recon, 1), "training recon finite, in [−1, 1]");
      ok(await finite(m.quantizer.weight), "codebook finite after the EMA step");
      const dec = m.lastLayerWeight().grad;
      ok(dec && await finite(dec), "decoder gradient");
      m.eval();
      const r = m.reconstruct(rand([1, 3, 128, 128]));
      assertEquals(r.shape, [1, 3, 128, 128]);
      ok(await finite(r, 1), "test recon finite");
      m.dispose();
    },
  });
}

Deno.test({
  ...T,
  name: "chandru25 discriminator and DCGAN full width: finite outputs",
  async fn() {
    await setup();
    const d = new Chandru25Discriminator();
    const logits = d.forward(rand([2, 3, 64, 64]));
    assertEquals(logits.shape, [2, 1, 13, 13]);
    ok(await finite(logits));
    const g = new Chandru25Dcgan();
    const img = g.generate(randn([2, 100, 1, 1]));
    assertEquals(img.shape, [2, 3, 64, 64]);
    ok(await finite(img, 1));
    d.dispose();
    g.dispose();
  },
});
