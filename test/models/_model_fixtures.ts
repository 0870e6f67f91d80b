// Shared by the model tests: fills a model's tensors with the deterministic values of
// tools/fixtures/models_reddipalli22_fixtures.py (`fill_value`), and compares every parameter's
// gradient with the PyTorch fixture (sampled values, a random projection, the norm), within
// 1e-3 of the gradient's scale.

import { deepStrictEqual } from "node:assert";
import type { HostTensor } from "../../src/io/safetensors.ts";
import { add, mul, mulScalar, sum, tidy } from "../../src/mod.ts";
import type { Autoencoder } from "../../src/app.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Module } from "../../src/nn/module.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { assertClose, fixture } from "../helpers.ts";

/**
 * mulberry32 outputs mapped to [-1, 1) as float32: `host_random` of the fixture script (kept
 * here, not shared, so the committed fixtures never depend on another helper's generator).
 */
export function hostRandom(n: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(s)) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The fixture script's weight rule for the tensor `key` of `shape`. */
export function fillValue(key: string, shape: readonly number[], salt: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = hostRandom(n, (fnv1a(key) + salt) >>> 0);
  const leaf = key.split(".").at(-1);
  const out = new Float32Array(n);
  const scale = Math.sqrt(3 / (n / shape[0]));
  for (let i = 0; i < n; i++) {
    const v = r[i];
    out[i] = leaf === "running_mean"
      ? 0.1 * v
      : leaf === "running_var"
      ? 0.75 + 0.25 * v
      : shape.length === 1 && leaf === "weight"
      ? 1 + 0.1 * v
      : shape.length === 1
      ? 0.1 * v
      : v * scale;
  }
  return out;
}

/** Copies the fixture weights into every f32 tensor of `model` (through loadStateDict). */
export function fillModel(model: Module, salt: number) {
  const state = new Map<string, Tensor>();
  for (const [k, t] of model.stateDict()) {
    if (t.dtype !== "f32") continue; // num_batches_tracked: not part of the fixture
    state.set(k, Tensor.from(fillValue(k, t.shape, salt), t.shape));
  }
  model.loadStateDict(state, { allowMissingNumBatchesTracked: true });
  for (const t of state.values()) t.dispose();
}

/** Host data in [0, 1) for the [2, 1, 95, 79] input, as the fixture's x_input(). */
export function fixtureInput(seed = 1): Tensor {
  const r = hostRandom(2 * 95 * 79, seed).map((v) => (v + 1) / 2);
  return Tensor.from(r, [2, 1, 95, 79]);
}

/** The fixture's upstream weights host_random(numel, seed) as a tensor of `shape`. */
export function upstream(shape: readonly number[], seed: number): Tensor {
  return Tensor.from(hostRandom(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** Compares every parameter gradient of `model` with `<prefix>.grad.<key>.*`. */
export async function assertGradsMatch(
  f: Map<string, HostTensor>,
  prefix: string,
  model: Module,
  tol = 1e-3,
): Promise<number> {
  // Gradients that are analytically zero (a bias before a GroupNorm with one channel per group,
  // attention's k.bias) come out of both frameworks as cancellation noise, far below every real
  // gradient: PyTorch's below 1e-5 of the model's largest means "zero", and ours must be too.
  let global = 0;
  for (const [k] of model.namedParameters()) {
    const a = f.get(`${prefix}.grad.${k}.absmax`);
    if (a) global = Math.max(global, (a.data as Float32Array)[0]);
  }
  const zeroBelow = 1e-5 * global;
  let checked = 0;
  for (const [k, p] of model.namedParameters()) {
    const idx = f.get(`${prefix}.grad.${k}.idx`);
    if (!idx) {
      if (p.grad) throw new Error(`${k}: neurad has a gradient, PyTorch has none`);
      continue;
    }
    if (!p.grad) throw new Error(`${k}: no gradient (PyTorch has one)`);
    const g = await p.grad.toArray() as Float32Array;
    const absmax = (f.get(`${prefix}.grad.${k}.absmax`)!.data as Float32Array)[0];
    const norm = (f.get(`${prefix}.grad.${k}.norm`)!.data as Float32Array)[0];
    const proj = (f.get(`${prefix}.grad.${k}.proj`)!.data as Float32Array)[0];
    if (absmax < zeroBelow) {
      let ours = 0;
      for (const v of g) ours = Math.max(ours, Math.abs(v));
      if (!(ours < zeroBelow)) {
        throw new Error(`grad ${k}: max |g| ${ours}, PyTorch ${absmax} (numerically zero)`);
      }
      checked++;
      continue;
    }
    const ids = idx.data as Int32Array;
    const got = Array.from(ids, (i) => g[i]);
    assertClose(got, f.get(`${prefix}.grad.${k}.val`)!.data as Float32Array, {
      scaleTol: tol,
      floor: absmax,
      name: `grad ${k}`,
    });
    const d = hostRandom(g.length, (fnv1a(k) + 13) >>> 0);
    let dot = 0, dn = 0, gn = 0;
    for (let i = 0; i < g.length; i++) {
      dot += g[i] * d[i];
      dn += d[i] * d[i];
      gn += g[i] * g[i];
    }
    const projTol = tol * norm * Math.sqrt(dn) + 1e-12;
    if (!(Math.abs(dot - proj) <= projTol)) {
      throw new Error(`grad ${k}: projection ${dot}, PyTorch ${proj} (tolerance ${projTol})`);
    }
    if (!(Math.abs(Math.sqrt(gn) - norm) <= tol * norm + 1e-12)) {
      throw new Error(`grad ${k}: norm ${Math.sqrt(gn)}, PyTorch ${norm}`);
    }
    checked++;
  }
  return checked;
}

/** Runs `name` with the fixture's weights on the fixture input; checks outputs and gradients. */
export async function checkAutoencoder(
  kase: string,
  name: string,
  options: Record<string, unknown>,
) {
  const f = await fixture("models_reddipalli22");
  const model = createModel<Autoencoder>(name, options);
  fillModel(model, (f.get(`${kase}.salt`)!.data as Int32Array)[0]);
  const x = fixtureInput();
  const out = model.forward(x);
  deepStrictEqual(out.recon.shape, [2, 1, 95, 79]);
  const loss = tidy(() =>
    add(sum(mul(out.recon, upstream(out.recon.shape, 22))), mulScalar(out.vqLoss!, 10))
  );
  loss.backward();
  deepStrictEqual(
    Array.from(await out.indices!.toArray()),
    Array.from(f.get(`${kase}.indices`)!.data as Int32Array),
    "code indices",
  );
  assertClose(
    await out.recon.toArray() as Float32Array,
    f.get(`${kase}.recon`)!.data as Float32Array,
    {
      scaleTol: 1e-3,
      name: "recon",
    },
  );
  assertClose([await out.vqLoss!.item()], f.get(`${kase}.vq_loss`)!.data as Float32Array, {
    rtol: 1e-3,
    name: "vq loss",
  });
  await assertGradsMatch(f, kase, model);
  for (const t of [x, loss, ...Object.values(out)]) t.dispose();
  model.dispose();
}
