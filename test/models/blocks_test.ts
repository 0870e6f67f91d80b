// The VQGAN building blocks: shapes at odd sizes, taming's weight keys, AttnBlock's proj_out
// variants, finite-difference input gradients of every block, and a training step of each of
// the first study's models that leaves no GPU buffer behind.

import { deepStrictEqual, ok } from "node:assert";
import { add, noGrad, sum, Tensor, tidy } from "../../src/mod.ts";
import type { Module } from "../../src/mod.ts";
import type { Autoencoder, Discriminator } from "../../src/app.ts";
import { AttnBlock, Downsample, ResnetBlock, Upsample } from "../../src/models/blocks/mod.ts";
import { createModel } from "../../src/models/create_model.ts";
import { assertNoLeak, gradcheck, setup } from "../helpers.ts";
import { fillModel, hostRandom } from "./_model_fixtures.ts";

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

const input = (shape: number[], seed = 3) => ({
  data: hostRandom(shape.reduce((a, b) => a * b, 1), seed),
  shape,
});
const keys = (m: Module) => [...m.stateDict().keys()];

test("blocks: Downsample 95×79 → 47×39, Upsample ×2, ResnetBlock shortcut; taming's keys", () => {
  const d = new Downsample(32), u = new Upsample(32), r = new ResnetBlock(32, 64);
  const x = Tensor.from(input([1, 32, 95, 79]).data, [1, 32, 95, 79]);
  const shapes = noGrad(() =>
    tidy(() => [d.forward(x).shape, u.forward(x).shape, r.forward(x).shape])
  );
  deepStrictEqual(shapes, [[1, 32, 47, 39], [1, 32, 190, 158], [1, 64, 95, 79]]);
  deepStrictEqual(keys(d), ["conv.weight", "conv.bias"]);
  deepStrictEqual(keys(r).filter((k) => k.endsWith("weight")), [
    "norm1.weight",
    "conv1.weight",
    "norm2.weight",
    "conv2.weight",
    "nin_shortcut.weight",
  ]);
  const same = new ResnetBlock(32);
  ok(!keys(same).some((k) => k.startsWith("nin_shortcut")));
  same.dispose();
  x.dispose();
  for (const m of [d, u, r]) m.dispose();
});

test("AttnBlock: 'unapplied' registers proj_out and equals 'none'; 'applied' differs", async () => {
  const blocks = (["applied", "unapplied", "none"] as const).map((p) => new AttnBlock(32, p));
  blocks.forEach((b) => fillModel(b, 9));
  deepStrictEqual(keys(blocks[1]), keys(blocks[0]));
  ok(!keys(blocks[2]).some((k) => k.startsWith("proj_out")));
  const x = Tensor.from(input([2, 32, 5, 4]).data, [2, 32, 5, 4]);
  const ys = blocks.map((b) => noGrad(() => b.forward(x)));
  const [a, un, none] = await Promise.all(ys.map((y) => y.toArray() as Promise<Float32Array>));
  ys.forEach((y) => y.dispose());
  deepStrictEqual(un, none);
  ok(a.some((v, i) => Math.abs(v - un[i]) > 1e-3));
  x.dispose();
  blocks.forEach((b) => b.dispose());
});

test("blocks: input gradients pass the finite-difference check (awkward sizes)", async () => {
  const attn = new AttnBlock(32), res = new ResnetBlock(32, 64);
  const down = new Downsample(32), up = new Upsample(32);
  for (const m of [attn, res, down, up]) fillModel(m, 4);
  await gradcheck((x) => attn.forward(x), [input([2, 32, 3, 5])]);
  await gradcheck((x) => res.forward(x), [input([1, 32, 5, 3])]);
  await gradcheck((x) => down.forward(x), [input([1, 32, 7, 5])]);
  await gradcheck((x) => up.forward(x), [input([1, 32, 3, 2])]);
  for (const m of [attn, res, down, up]) m.dispose();
});

test("models: a training step (forward, backward, zeroGrad) leaves no GPU buffer behind", async () => {
  const x = Tensor.from(input([2, 1, 95, 79]).data, [2, 1, 95, 79]);
  for (
    const [name, o] of [
      ["reddipalli22-vae", { widthMultiplier: 0.25, latentDim: 32 }],
      ["reddipalli22-vqvae", { widthMultiplier: 0.25, embedDim: 32, numCodes: 32 }],
      ["reddipalli22-patchgan", { widthMultiplier: 0.25 }],
    ] as const
  ) {
    const m = createModel<Module>(name, o);
    const step = () => {
      const out = (m as unknown as Autoencoder | Discriminator).forward(x);
      const loss = tidy(() =>
        "recon" in out
          ? add(sum(out.recon), out.vqLoss ?? sum(out.mu!))
          : sum(out as unknown as Tensor)
      );
      loss.backward();
      const outs = out instanceof Tensor ? [out] : Object.values(out) as Tensor[];
      for (const t of [loss, ...outs]) t.dispose();
      m.zeroGrad();
    };
    step(); // first call builds pipelines and pools
    await assertNoLeak(name, step);
    m.dispose();
  }
  x.dispose();
});
