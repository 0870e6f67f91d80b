// Wrapper of shaders/random.wgsl: seeded rand / randn / uniform_ / normal_. A global seed and a
// per-call offset (like PyTorch's Philox offset) make a run's random stream reproducible. Owns
// the kernel's parameter block.

import src from "../../shaders/random.wgsl" with { type: "text" };
import { dispatch, grid1d, type KernelSpec, loopCost } from "../core/dispatch.ts";
import type { Shape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";

const RANDOM = paramBlock("RandomParams", {
  n: "u32",
  key0: "u32",
  key1: "u32",
  offset: "u32",
  a: "f32",
  b: "f32",
});
type RandomSpec = KernelSpec<typeof RANDOM.fields>;

const UNIFORM: RandomSpec = {
  name: "rand_uniform",
  params: RANDOM,
  code: src.replaceAll("DIST_ID", "0u"),
  inputs: 0,
  outputs: 1,
};
const NORMAL: RandomSpec = {
  name: "rand_normal",
  params: RANDOM,
  code: src.replaceAll("DIST_ID", "1u"),
  inputs: 0,
  outputs: 1,
};

let seed = 0;
let offset = 0;

/** Sets the global seed and restarts the stream (like torch.manual_seed). */
export function manualSeed(s: number) {
  seed = s;
  offset = 0;
}

/** The generator's state, to save in a checkpoint and restore with setRngState. */
export function getRngState(): { seed: number; offset: number } {
  return { seed, offset };
}

export function setRngState(s: { seed: number; offset: number }) {
  seed = s.seed;
  offset = s.offset;
}

/** Threefry's 5 × 4 rounds (random.wgsl), the kernel's only loops. */
const ROUNDS_LOOPS = loopCost(5, loopCost(4));

function run(t: Tensor, spec: RandomSpec, a: number, b: number): Tensor {
  const n = t.size;
  const params = {
    n,
    key0: seed >>> 0,
    key1: Math.floor(seed / 2 ** 32) >>> 0,
    offset: offset++ >>> 0,
    a,
    b,
  };
  if (n) dispatch(spec, params, [t.buffer], grid1d(Math.ceil(n / 256)), ROUNDS_LOOPS);
  return t;
}

/** Uniform [0, 1) values. */
export function rand(shape: Shape, o: { requiresGrad?: boolean } = {}): Tensor {
  const t = run(Tensor.empty(shape), UNIFORM, 0, 1);
  t.requiresGrad = o.requiresGrad ?? false;
  return t;
}

/** Standard normal values. */
export function randn(shape: Shape, o: { requiresGrad?: boolean } = {}): Tensor {
  const t = run(Tensor.empty(shape), NORMAL, 0, 1);
  t.requiresGrad = o.requiresGrad ?? false;
  return t;
}

/** In place: uniform values in [low, high) (for parameter initialisation). */
export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  return run(t, UNIFORM, low, high);
}

/** In place: normal values with the given mean and std. */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return run(t, NORMAL, mean, std);
}
