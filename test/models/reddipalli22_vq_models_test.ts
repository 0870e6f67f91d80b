// The first study's VQ-VAE, VQGAN and PatchGAN: parameter totals as Reddipalli 2022 states them (full width,
// built without a forward pass), and forward output, code indices, VQ loss and every parameter
// gradient against the PyTorch models of tools/fixtures/models_reddipalli22_fixtures.py at
// 2×1×95×79 (the VQGAN at widthMultiplier 0.25, in both modes, is in test/heavy).

import { deepStrictEqual, strictEqual } from "node:assert";
import { mul, sum, tidy } from "../../src/mod.ts";
import type { Discriminator } from "../../src/app.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Module } from "../../src/nn/module.ts";
import { assertClose, fixture, setup } from "../helpers.ts";
import {
  assertGradsMatch,
  checkAutoencoder,
  fillModel,
  fixtureInput,
  upstream,
} from "./_model_fixtures.ts";

const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await fn();
    },
  });

const count = (m: Module) => m.parameters().reduce((a, p) => a + p.size, 0);

test("reddipalli22 VQ-VAE, VQGAN + PatchGAN: parameter totals as Reddipalli 2022, Table 4.3", () => {
  for (const [K, total] of [[128, 1_005_825], [256, 1_022_209]]) {
    const m = createModel("reddipalli22-vqvae", { embedDim: 128, numCodes: K });
    strictEqual(count(m), total, `VQ-VAE 128×${K}`);
    m.dispose();
  }
  const d = createModel("reddipalli22-patchgan");
  strictEqual(count(d), 2_763_585, "PatchGAN");
  for (const mode of ["faithful", "corrected"]) {
    for (const [K, total] of [[128, 73_445_826], [256, 73_462_210]]) {
      const g = createModel("reddipalli22-vqgan", { embedDim: 128, numCodes: K, mode });
      strictEqual(count(g) + count(d), total, `VQGAN 128×${K} + D (${mode})`);
      g.dispose();
    }
  }
  d.dispose();
});

test("reddipalli22-vqvae (corrected, 128×128): forward and every gradient match PyTorch", async () => {
  await checkAutoencoder("vqvae_corrected", "reddipalli22-vqvae", {});
});

test("reddipalli22-vqvae (faithful: in-place ReLU residuals; D 64, K 32, width 0.5) matches PyTorch", async () => {
  await checkAutoencoder("vqvae_faithful", "reddipalli22-vqvae", {
    mode: "faithful",
    embedDim: 64,
    numCodes: 32,
    widthMultiplier: 0.5,
  });
});

test("reddipalli22-patchgan: 9×7 logits and every gradient match PyTorch (train-mode BatchNorm)", async () => {
  const f = await fixture("models_reddipalli22");
  const d = createModel<Discriminator>("reddipalli22-patchgan");
  fillModel(d, 0);
  const x = fixtureInput();
  const y = d.forward(x);
  deepStrictEqual(y.shape, [2, 1, 9, 7]);
  const loss = tidy(() => sum(mul(y, upstream(y.shape, 22))));
  loss.backward();
  assertClose(await y.toArray() as Float32Array, f.get("patchgan.logits")!.data as Float32Array, {
    scaleTol: 1e-3,
    name: "logits",
  });
  strictEqual(await assertGradsMatch(f, "patchgan", d), d.parameters().length);
  for (const t of [x, y, loss]) t.dispose();
  d.dispose();
});

test("reddipalli22-vqgan normGroups: 8 groups let width 0.0625 build 8/16/32-channel stages; bad values fail", async () => {
  const { GroupNorm } = await import("../../src/nn/group_norm.ts");
  const { randn } = await import("../../src/mod.ts");
  const g = createModel<Module & { forward(x: unknown): { recon: { shape: number[] } } }>(
    "reddipalli22-vqgan",
    { widthMultiplier: 0.0625, normGroups: 8, embedDim: 64, numCodes: 64 },
  );
  const norms = g.modules().filter((m) => m instanceof GroupNorm) as InstanceType<
    typeof GroupNorm
  >[];
  deepStrictEqual([...new Set(norms.map((n) => n.numGroups))], [8]);
  deepStrictEqual([...new Set(norms.map((n) => n.numChannels))].sort((a, b) => a - b), [8, 16, 32]);
  const d32 = createModel("reddipalli22-vqgan", {
    widthMultiplier: 0.0625,
    embedDim: 64,
    numCodes: 64,
  });
  strictEqual(count(g) < count(d32) / 2, true, `${count(g)} vs ${count(d32)}`);
  d32.dispose();
  tidy(() => deepStrictEqual(g.forward(randn([1, 1, 95, 79])).recon.shape, [1, 1, 95, 79]));
  g.dispose();
  for (const bad of [0, 33, 2.5]) {
    let msg = "";
    try {
      createModel("reddipalli22-vqgan", { normGroups: bad });
    } catch (e) {
      msg = (e as Error).message;
    }
    strictEqual(msg.includes("normGroups must be an integer in [1, 32]"), true, msg);
  }
});
