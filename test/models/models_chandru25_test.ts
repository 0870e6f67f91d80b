// The second study's models (src/models/chandru25/) against PyTorch
// (tools/fixtures/models_chandru25_fixtures.py): forward outputs and the gradient of every
// parameter at the real input shapes with batch 2 (reduced widths), both VQGAN modes including
// the EMA codebook's updates in training and at test time; full-width parameter counts as
// Chandru 2025 states them; state-dict contents per mode; the perceptual net's seeding; leaks;
// bad input.

import { deepStrictEqual as assertEquals, ok, throws } from "node:assert";
import {
  Adam,
  add,
  getRngState,
  l1Loss,
  mul,
  noGrad,
  rand,
  sum,
  Tensor,
  tidy,
} from "../../src/mod.ts";
import { createModel, modelNames } from "../../src/app.ts";
import type { Module } from "../../src/nn/module.ts";
import {
  CHANDRU25_MODELS,
  Chandru25Dcgan,
  Chandru25DcganDiscriminator,
  Chandru25Discriminator,
  Chandru25Perceptual,
  Chandru25Vqgan,
  StudyEmaQuantizer,
} from "../../src/models/chandru25/registry.ts";
import { mseLoss } from "../../src/nn/losses.ts";
import { assertClose, assertNoLeak, fixture, hostRandom, setup, toTensor } from "../helpers.ts";
import type { HostTensor } from "../../src/io/safetensors.ts";

const T = { sanitizeResources: false, sanitizeOps: false };
const TOL = { scaleTol: 1e-3 };

type Fixture = Map<string, HostTensor>;

/** The case's inputs, regenerated from the seeds the fixture script drew. */
function inputs(f: Fixture, name: string, shapes: number[][]): Tensor[] {
  const seeds = f.get(`${name}.seeds`)!.data as Int32Array;
  return shapes.map((s, i) =>
    Tensor.from(hostRandom(s.reduce((a, b) => a * b, 1), seeds[i]), s, { requiresGrad: true })
  );
}

/** Loads `<case>.w.*` into the model (strict: every key on both sides). */
function load(m: Module, f: Fixture, name: string) {
  const pre = `${name}.w.`;
  const state = new Map<string, Tensor>();
  for (const [k, h] of f) if (k.startsWith(pre)) state.set(k.slice(pre.length), toTensor(h));
  m.loadStateDict(state);
  for (const t of state.values()) t.dispose();
}

/** max |x|. */
function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Every parameter's gradient against `<case>.g.*`; parameters without one must have none.
 * A bias is compared on the scale of its layer (its own and its weight's gradients): the bias of
 * a conv feeding a training-mode BN has gradient 0 in exact arithmetic, so both sides are
 * rounding noise there.
 */
async function checkGrads(m: Module, f: Fixture, name: string) {
  let compared = 0;
  for (const [k, p] of m.namedParameters()) {
    const ref = f.get(`${name}.g.${k}`);
    if (!ref) {
      ok(p.grad === null, `${name}: ${k} should get no gradient`);
      continue;
    }
    ok(p.grad, `${name}: ${k} has no gradient`);
    const weightRef = k.endsWith(".bias") ? f.get(`${name}.g.${k.slice(0, -4)}weight`) : undefined;
    assertClose(await p.grad.toArray() as Float32Array, ref.data as Float32Array, {
      ...TOL,
      floor: weightRef ? maxAbs(weightRef.data as Float32Array) : undefined,
      name: `${name} grad ${k}`,
    });
    compared++;
  }
  return compared;
}

async function close(t: Tensor, f: Fixture, key: string) {
  assertClose(await t.toArray() as Float32Array, f.get(key)!.data as Float32Array, {
    ...TOL,
    name: key,
  });
}

function count(m: Module): number {
  return m.parameters().reduce((a, p) => a + p.size, 0);
}

Deno.test({
  ...T,
  name: "chandru25: full-width parameter counts equal Chandru 2025's",
  async fn() {
    await setup();
    const v = new Chandru25Vqgan({ mode: "faithful" });
    assertEquals(count(v.encoder), 3_423_744);
    assertEquals(count(v.decoder), 3_423_491);
    assertEquals(v.quantizer.weight.shape, [1024, 256]);
    assertEquals(count(v.quantizer), 262_144);
    v.dispose();
    const d = new Chandru25Discriminator();
    assertEquals(count(d), 136_641);
    d.dispose();
    const g = new Chandru25Dcgan(), dd = new Chandru25DcganDiscriminator();
    assertEquals([count(g), count(dd)], [3_576_704, 2_765_568]);
    g.dispose();
    dd.dispose();
    const p = new Chandru25Perceptual();
    assertEquals(count(p), 1_402_880);
    ok(p.parameters().every((t) => !t.requiresGrad), "perceptual weights are frozen");
    p.dispose();
  },
});

for (const mode of ["faithful", "corrected"] as const) {
  Deno.test({
    ...T,
    name: `chandru25-vqgan (${mode}) matches PyTorch: training pass, gradients, EMA, test pass`,
    async fn() {
      await setup();
      const f = await fixture("models_chandru25");
      const name = `vqgan_${mode}`;
      const m = new Chandru25Vqgan({ mode, widthMultiplier: 1 / 16, numCodes: 32 });
      load(m, f, name);
      const [x, xt, gout] = inputs(f, name, [[2, 3, 64, 64], [1, 3, 128, 128], [2, 3, 64, 64]]);
      m.train();
      const out = m.forward(x);
      const objective = tidy(() => {
        const s = sum(mul(out.recon, gout));
        return out.vqLoss ? add(s, out.vqLoss) : s;
      });
      objective.backward();
      assertEquals(
        Array.from(await out.indices!.toArray() as Int32Array),
        Array.from(f.get(`${name}.indices`)!.data as Int32Array),
      );
      assertEquals(out.indices!.shape, [2, 16, 16]);
      await close(out.recon, f, `${name}.recon`);
      if (mode === "corrected") await close(out.vqLoss!, f, `${name}.vq_loss`);
      else ok(out.vqLoss === undefined, "faithful discards the VQ loss");
      const compared = await checkGrads(m, f, name);
      ok(compared >= (mode === "faithful" ? 19 : 36), `${compared} gradients compared`);
      await close(m.quantizer.weight, f, `${name}.codebook_after_train`);
      if (mode === "corrected") {
        await close(
          m.quantizer.stateDict().get("embedding.cluster_size")!,
          f,
          `${name}.cluster_size_after_train`,
        );
      }
      // The study's test pass: eval mode, one 128×128 image.
      m.eval();
      const recon = m.reconstruct(xt);
      assertEquals(recon.shape, [1, 3, 128, 128]);
      await close(recon, f, `${name}.recon_test`);
      await close(m.quantizer.weight, f, `${name}.codebook_after_test`);
      if (m.quantizer instanceof StudyEmaQuantizer) {
        await close(m.quantizer.emaState.clusterSize, f, `${name}.cluster_after_test`);
      }
      for (const [k, t] of m.stateDict()) {
        if (k.includes("running")) await close(t, f, `${name}.after_test.${k}`);
      }
      for (const t of [x, xt, gout, out.recon, out.vqLoss, objective, recon]) t?.dispose();
      for (const t of [out.perplexity, out.usage, out.indices, out.commitmentLoss]) t?.dispose();
      m.dispose();
    },
  });
}

Deno.test({
  ...T,
  name: "chandru25-vqgan (faithful) matches PyTorch over two Adam steps: EMA and Adam interplay",
  async fn() {
    await setup();
    const f = await fixture("models_chandru25");
    const name = "vqgan_faithful_adam";
    const m = new Chandru25Vqgan({ mode: "faithful", widthMultiplier: 1 / 16, numCodes: 32 });
    load(m, f, name);
    const steps = (f.get(`${name}.steps`)!.data as Int32Array)[0];
    const lr = (f.get(`${name}.lr`)!.data as Float32Array)[0];
    const xs = inputs(f, name, Array.from({ length: steps + 1 }, () => [2, 3, 64, 64]));
    // Adam over every parameter, as the study's optimiser: the encoder's get no gradient.
    const opt = new Adam(m.parameters(), { lr, betas: [0.5, 0.999] });
    m.train();
    for (const x of xs.slice(0, steps)) {
      opt.zeroGrad();
      const out = m.forward(x);
      const l = tidy(() => l1Loss(out.recon, x.detach()));
      l.backward();
      opt.step();
      for (const t of [out.recon, out.perplexity, out.usage, out.indices, l]) t?.dispose();
    }
    const out = noGrad(() => m.forward(xs[steps]));
    await close(out.recon, f, `${name}.recon`);
    assertEquals(
      Array.from(await out.indices!.toArray() as Int32Array),
      Array.from(f.get(`${name}.indices`)!.data as Int32Array),
    );
    await close((m.quantizer as StudyEmaQuantizer).emaState.clusterSize, f, `${name}.cluster`);
    // The decoder's conv biases feeding a training-mode BN have gradient 0 up to rounding, which
    // Adam normalises into ±lr steps of noise on either side; they (and the running means they
    // shift) leave training-mode outputs unchanged, so they are not compared.
    const noise = /^decoder\..*block\.[03]\.bias$|^decoder\..*block\.[14]\.running_mean$/;
    let compared = 0;
    for (const [k, t] of m.stateDict()) {
      if (k.endsWith("num_batches_tracked") || noise.test(k)) continue;
      await close(t, f, `${name}.after.${k}`);
      compared++;
    }
    ok(compared >= 45, `${compared} tensors compared`);
    for (const t of [...xs, out.recon, out.perplexity, out.usage, out.indices]) t?.dispose();
    opt.zeroGrad();
    opt.dispose();
    m.dispose();
  },
});

Deno.test({
  ...T,
  name: "chandru25-vqgan: state dict per mode (faithful: no EMA state; corrected: saved)",
  async fn() {
    await setup();
    const faithful = new Chandru25Vqgan({ mode: "faithful", widthMultiplier: 1 / 32, numCodes: 8 });
    const corrected = new Chandru25Vqgan({ widthMultiplier: 1 / 32, numCodes: 8 });
    const fk = [...faithful.stateDict().keys()], ck = [...corrected.stateDict().keys()];
    ok(fk.includes("quantizer.embedding.weight"));
    ok(!fk.some((k) => k.includes("cluster") || k.includes("embed_avg")));
    ok(
      ck.includes("quantizer.embedding.cluster_size") &&
        ck.includes("quantizer.embedding.embed_avg"),
    );
    assertEquals(corrected.mode, "corrected");
    assertEquals(corrected.inputShape, [3, 64, 64]);
    ok(faithful.lastLayerWeight().shape.join() === "8,3,4,4");
    // A faithful (or study) checkpoint loads into corrected mode; its EMA state restarts there.
    const state = faithful.stateDict();
    corrected.loadStateDict(state);
    const codes = await faithful.quantizer.weight.toArray();
    assertEquals(await corrected.quantizer.weight.toArray(), codes);
    const ema = corrected.quantizer.stateDict();
    assertEquals(await ema.get("embedding.embed_avg")!.toArray(), codes);
    assertEquals(Array.from(await ema.get("embedding.cluster_size")!.toArray()), Array(8).fill(1));
    throws(() => faithful.loadStateDict(corrected.stateDict()), /unexpected 2 keys/);
    faithful.dispose();
    corrected.dispose();
  },
});

Deno.test({
  ...T,
  name: "chandru25-discriminator matches PyTorch: 13×13 patch logits, every gradient",
  async fn() {
    await setup();
    const f = await fixture("models_chandru25");
    const d = new Chandru25Discriminator({ widthMultiplier: 1 / 2 });
    load(d, f, "disc");
    const [x, gout] = inputs(f, "disc", [[2, 3, 64, 64], [2, 1, 13, 13]]);
    const logits = d.forward(x);
    assertEquals(logits.shape, [2, 1, 13, 13]);
    const l = tidy(() => sum(mul(logits, gout)));
    l.backward();
    await close(logits, f, "disc.logits");
    await close(x.grad!, f, "disc.grad_x");
    assertEquals(await checkGrads(d, f, "disc"), 8);
    for (const t of [x, gout, logits, l]) t.dispose();
    d.dispose();
  },
});

Deno.test({
  ...T,
  name: "chandru25-perceptual matches PyTorch: φ with batch statistics, gradient of L_perc",
  async fn() {
    await setup();
    const f = await fixture("models_chandru25");
    const p = new Chandru25Perceptual({ widthMultiplier: 1 / 32 });
    load(p, f, "perc");
    ok(p.parameters().every((t) => !t.requiresGrad), "frozen after loading");
    p.eval(); // makes no difference: BN always uses the batch statistics
    const [x, y] = inputs(f, "perc", [[2, 3, 64, 64], [2, 3, 64, 64]]);
    const phi = p.forward(x);
    const loss = tidy(() => mseLoss(phi, p.forward(y.detach())));
    loss.backward();
    await close(phi, f, "perc.phi");
    await close(loss, f, "perc.loss");
    await close(x.grad!, f, "perc.grad_x");
    ok(p.parameters().every((t) => t.grad === null), "no parameter gradients");
    for (const t of [x, y, phi, loss]) t.dispose();
    p.dispose();
  },
});

Deno.test({
  ...T,
  name: "chandru25-perceptual: weights fixed by the seed; the global RNG stream is untouched",
  async fn() {
    await setup();
    const before = getRngState();
    const weights = async (seed: number) => {
      const p = new Chandru25Perceptual({ widthMultiplier: 1 / 64, seed });
      const w = await p.residual.weight.toArray() as Float32Array;
      p.dispose();
      return Array.from(w);
    };
    const a = await weights(3), b = await weights(3), c = await weights(4);
    assertEquals(a, b);
    ok(a.some((v, i) => v !== c[i]), "another seed gives other weights");
    assertEquals(getRngState(), before);
  },
});

Deno.test({
  ...T,
  name: "chandru25-dcgan matches PyTorch: generator and discriminator, every gradient",
  async fn() {
    await setup();
    const f = await fixture("models_chandru25");
    const g = new Chandru25Dcgan({ widthMultiplier: 1 / 16 });
    load(g, f, "dcgan_g");
    const [z, gout] = inputs(f, "dcgan_g", [[2, 100, 1, 1], [2, 3, 64, 64]]);
    const img = g.generate(z);
    const l = tidy(() => sum(mul(img, gout)));
    l.backward();
    await close(img, f, "dcgan_g.out");
    await close(z.grad!, f, "dcgan_g.grad_z");
    assertEquals(await checkGrads(g, f, "dcgan_g"), 13);
    const d = new Chandru25DcganDiscriminator({ widthMultiplier: 1 / 16 });
    load(d, f, "dcgan_d");
    const [x, gd] = inputs(f, "dcgan_d", [[2, 3, 64, 64], [2, 1, 1, 1]]);
    const logits = d.forward(x);
    const ld = tidy(() => sum(mul(logits, gd)));
    ld.backward();
    await close(logits, f, "dcgan_d.logits");
    await close(x.grad!, f, "dcgan_d.grad_x");
    assertEquals(await checkGrads(d, f, "dcgan_d"), 11);
    // The Autoencoder view: a fresh G(z) per image, whatever the image.
    g.eval();
    const r1 = g.reconstruct(x), r2 = g.reconstruct(x);
    assertEquals(r1.shape, [2, 3, 64, 64]);
    const [a1, a2] = [await r1.toArray(), await r2.toArray()] as Float32Array[];
    ok(a1.some((v, i) => v !== a2[i]), "each reconstruction draws a new z");
    ok(a1.every((v) => Math.abs(v) <= 1), "tanh output");
    for (const t of [z, gout, img, l, x, gd, logits, ld, r1, r2]) t.dispose();
    g.dispose();
    d.dispose();
  },
});

Deno.test({
  ...T,
  name: "chandru25: registry names, options, no leaks across a training step, bad input",
  async fn() {
    await setup();
    assertEquals(Object.keys(CHANDRU25_MODELS).sort(), [
      "chandru25-dcgan",
      "chandru25-dcgan-discriminator",
      "chandru25-discriminator",
      "chandru25-perceptual",
      "chandru25-vqgan",
    ]);
    for (const name of Object.keys(CHANDRU25_MODELS)) ok(modelNames().includes(name), name);
    throws(() => createModel("chandru25-vqgan", { latentDim: 3 }), /unknown option 'latentDim'/);
    throws(() => createModel("chandru25-dcgan", { latentDim: 0.5 }), /latentDim must be/);
    for (const mode of ["faithful", "corrected"] as const) {
      const m = createModel("chandru25-vqgan", { mode, widthMultiplier: 1 / 64, numCodes: 8 });
      ok(m instanceof Chandru25Vqgan && m.mode === mode);
      const x = rand([1, 3, 16, 16]);
      await assertNoLeak(`vqgan ${mode} step`, async () => {
        m.train();
        const out = m.forward(x);
        const l = tidy(() => sum(out.recon));
        l.backward();
        await l.item();
        const outs = [out.recon, out.vqLoss, out.commitmentLoss, out.perplexity, out.usage];
        for (const t of [...outs, out.indices, l]) {
          t?.dispose();
        }
        for (const p of m.parameters()) {
          p.grad?.dispose();
          p.grad = null;
        }
        m.eval();
        const r = m.reconstruct(x);
        await r.toArray();
        r.dispose();
      });
      const wrong = rand([1, 1, 16, 16]);
      throws(() => m.forward(wrong), /chandru25-vqgan expects/);
      wrong.dispose();
      x.dispose();
      m.dispose();
    }
    throws(() => new Chandru25Vqgan({ widthMultiplier: 0 }), /widthMultiplier/);
    throws(() => new Chandru25Vqgan({ mode: "other" as "faithful" }), /mode must be/);
    const g = new Chandru25Dcgan({ widthMultiplier: 1 / 64 });
    const small = rand([1, 3, 32, 32]);
    throws(() => g.reconstruct(small), /64, 64/);
    small.dispose();
    g.dispose();
  },
});
