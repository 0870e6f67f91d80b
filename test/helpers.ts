// Shared test helpers: device setup, closeness checks that print the worst index, PyTorch
// fixture loading (safetensors), and a finite-difference gradient check.

import { getDevice, memoryStats, mul, noGrad, sum, Tensor, tidy } from "../src/mod.ts";
import { type HostTensor, readSafetensors } from "../src/io/safetensors.ts";

export async function setup() {
  await getDevice();
}

export interface CloseOptions {
  /** Allowed error relative to the reference's scale (max |ref|, at least `floor`). */
  scaleTol?: number;
  atol?: number;
  rtol?: number;
  floor?: number;
  name?: string;
}

/**
 * Asserts |actual - expected| <= atol + rtol·|expected| + scaleTol·max(max|expected|, floor)
 * elementwise; the default is the project's 2e-4 relative to the output's scale.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  o: CloseOptions = {},
) {
  const name = o.name ?? "values";
  if (actual.length !== expected.length) {
    throw new Error(`${name}: length ${actual.length} != expected ${expected.length}`);
  }
  let scale = o.floor ?? 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const atol = o.atol ?? 0,
    rtol = o.rtol ?? 0,
    st = o.scaleTol ?? (o.atol === undefined && o.rtol === undefined ? 2e-4 : 0);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i], a = actual[i];
    const tol = atol + rtol * Math.abs(e) + st * scale;
    const err = Number.isNaN(e) ? (Number.isNaN(a) ? 0 : Infinity) : Math.abs(a - e);
    if (!(err <= tol) && err - tol >= worstExcess) {
      worst = i;
      worstExcess = err - tol;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${name}: mismatch at index ${worst}: got ${actual[worst]}, expected ${expected[worst]} ` +
        `(scale ${scale.toExponential(3)}, tolerance atol ${atol} rtol ${rtol} scaleTol ${st})`,
    );
  }
}

const fixtureCache = new Map<string, Map<string, HostTensor>>();

/** Loads test/fixtures/<name>.safetensors (cached). */
export async function fixture(name: string): Promise<Map<string, HostTensor>> {
  let f = fixtureCache.get(name);
  if (!f) {
    const url = new URL(`./fixtures/${name}.safetensors`, import.meta.url);
    f = (await readSafetensors(url.pathname)).tensors;
    fixtureCache.set(name, f);
  }
  return f;
}

/** A fixture entry as a GPU tensor. */
export function toTensor(h: HostTensor, requiresGrad = false): Tensor {
  return Tensor.from(h.data as Float32Array, h.shape, {
    requiresGrad,
    dtype: h.dtype === "I32" ? "i32" : "f32",
  });
}

/** Deterministic host data in [-1, 1) (mulberry32), for naive-reference tests. */
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

export interface GradcheckOptions {
  eps?: number;
  /** Allowed |analytic − numeric| relative to max(|numeric|, |analytic|, 1e-2). */
  tol?: number;
  directions?: number;
  seed?: number;
}

/**
 * Finite-difference check along random directions: for L(x) = Σ f(x)·r, compares
 * ⟨∇L, d⟩ from backward() with (L(x + εd) − L(x − εd)) / 2ε, for each input and direction.
 */
export async function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: { data: Float32Array; shape: number[] }[],
  o: GradcheckOptions = {},
) {
  const eps = o.eps ?? 1e-2, tol = o.tol ?? 2e-2, seed = o.seed ?? 7;
  const xs = inputs.map((i) => Tensor.from(i.data, i.shape, { requiresGrad: true }));
  const y0 = f(...xs);
  const r = Tensor.from(hostRandom(y0.size, seed + 1), y0.shape);
  const loss = (ys: Tensor) => tidy(() => sum(mul(ys, r)));
  const l = loss(y0);
  l.backward();
  const grads = await Promise.all(xs.map((x) => x.grad!.toArray() as Promise<Float32Array>));
  for (let k = 0; k < xs.length; k++) {
    for (let dir = 0; dir < (o.directions ?? 2); dir++) {
      const d = hostRandom(inputs[k].data.length, seed + 100 * k + dir);
      const at = (sign: number) =>
        noGrad(() =>
          tidy(() => {
            const shifted = xs.map((x, j) => {
              if (j !== k) return x.detach();
              const v = inputs[j].data.map((xv, i) => xv + sign * eps * d[i]);
              return Tensor.from(v, inputs[j].shape);
            });
            return loss(f(...shifted));
          })
        );
      const lp = at(1), lm = at(-1);
      const numeric = ((await lp.item()) - (await lm.item())) / (2 * eps);
      lp.dispose();
      lm.dispose();
      let analytic = 0;
      for (let i = 0; i < d.length; i++) analytic += grads[k][i] * d[i];
      const err = Math.abs(analytic - numeric) /
        Math.max(Math.abs(numeric), Math.abs(analytic), 1e-2);
      if (!(err <= tol)) {
        throw new Error(
          `gradcheck: input ${k} direction ${dir}: analytic ${analytic}, numeric ${numeric} (rel err ${
            err.toExponential(2)
          })`,
        );
      }
    }
  }
  for (const t of [...xs, y0, r, l]) t.dispose();
}

/** Runs fn and asserts it leaves no new live GPU buffers. */
export async function assertNoLeak(label: string, fn: () => Promise<void> | void) {
  const before = memoryStats().liveBuffers;
  await fn();
  const after = memoryStats().liveBuffers;
  if (after !== before) throw new Error(`${label}: ${after - before} GPU buffers leaked`);
}
