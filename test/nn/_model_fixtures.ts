// Shared by the model tests: fills a model's tensors with the deterministic values of
// tools/fixtures/models_reddipalli22_fixtures.py (`fill_value`), and compares every parameter's
// gradient with the PyTorch fixture (sampled values, a random projection, the norm), within
// 1e-3 of the gradient's scale.

import type { HostTensor } from "../../src/io/safetensors.ts";
import type { Module } from "../../src/nn/module.ts";
import { Tensor } from "../../src/tensor.ts";
import { assertClose, hostRandom } from "../helpers.ts";

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

/** Loads the fixture weights into every tensor of `model` (through loadStateDict). */
export function fillModel(model: Module, salt: number) {
  const state = new Map<string, Tensor>();
  for (const [k, t] of model.stateDict()) {
    state.set(k, Tensor.from(fillValue(k, t.shape, salt), t.shape));
  }
  model.loadStateDict(state);
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
