// Wrapper of the matmul kernels: torch.matmul semantics (1-d operands, broadcast batch dims)
// with gradients. Transposed operands of the backward pass are read through strides, not
// copied. Two variants: shared-memory tiles (the default: measured faster even on llvmpipe,
// 5.0 vs 3.9 GFLOP/s at 1024³, see BENCHMARKS.md) and barrier-free register blocks
// (NEURAD_MATMUL=tiled|tiled-scalar|register overrides). The tiled kernel has a vec4-load twin
// for every layout (row-major or transposed A and B) whose contiguous axes are multiples of 4.
// All variants share one parameter block, declared here. Loop budget: an invocation loops over
// the whole reduction K, and llvmpipe cuts an invocation short after 65,535 loop passes
// (src/core/dispatch.ts), so past that (K over 37,000-65,000 by variant) K is split over
// workgroups and the partial products summed; on a GPU the splits are also more workgroups.

import coreSrc from "../../shaders/matmul_tile_core.wgsl" with { type: "text" };
import tiledSrc from "../../shaders/matmul_tiled.wgsl" with { type: "text" };
import registerSrc from "../../shaders/matmul_register.wgsl" with { type: "text" };
import vec4Src from "../../shaders/matmul_tiled_vec4.wgsl" with { type: "text" };
import { record } from "../core/autograd.ts";
import { cachedSpec } from "./kernel_cache.ts";
import { dispatch, grid1d, type KernelSpec, loopCost, splitLoop } from "../core/dispatch.ts";
import { broadcastShapes, formatShape, numel } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { expand, reshape } from "./movement.ts";
import { sumToShape } from "./reduce.ts";
import { reduce } from "./reduce_core.ts";
import { envChoice } from "../core/env.ts";
import { paramBlock } from "../core/uniforms.ts";

/**
 * C [splits, batch, M, N] = op(A) [M, K] · op(B) [K, N] over split s's kChunk of K; mTiles row
 * tiles per batch entry; each operand's batch, row and column strides.
 */
const MATMUL = paramBlock("MatmulParams", {
  M: "u32",
  N: "u32",
  K: "u32",
  mTiles: "u32",
  aBatch: "u32",
  aRow: "u32",
  aCol: "u32",
  batch: "u32",
  bBatch: "u32",
  bRow: "u32",
  bCol: "u32",
  kChunk: "u32",
  splits: "u32",
});
type MatmulSpec = KernelSpec<typeof MATMUL.fields>;

const TILED: MatmulSpec = {
  name: "matmul_tiled",
  params: MATMUL,
  code: coreSrc + tiledSrc,
  inputs: 2,
  outputs: 1,
};
const REGISTER: MatmulSpec = {
  name: "matmul_register",
  params: MATMUL,
  code: registerSrc,
  inputs: 2,
  outputs: 1,
};
/** The vec4 kernel for one layout: A and B each row-major or transposed. */
function tiledVec4(aT: boolean, bT: boolean): MatmulSpec {
  return cachedSpec("matmul", `vec4|${aT}|${bT}`, () => ({
    name: "matmul_tiled_vec4",
    params: MATMUL,
    code: coreSrc +
      vec4Src.replaceAll("A_TRANSPOSED", String(aT)).replaceAll("B_TRANSPOSED", String(bT)),
    inputs: 2,
    outputs: 1,
  }));
}

/** "tiled" takes vec4 loads where the layout allows; "tiled-scalar" never does (benchmarks). */
export type MatmulVariant = "tiled" | "tiled-scalar" | "register";

export function matmulVariant(): MatmulVariant {
  const env = envChoice<MatmulVariant>("NEURAD_MATMUL");
  if (env) return env;
  return "tiled";
}

/** A stored operand: `rows`×`cols` logical matrix, stored transposed or not, batch stride. */
interface Operand {
  t: Tensor;
  transposed: boolean;
  batchStride: number;
}

/** C[batch, M, N] = op(A) · op(B) for operands laid out as described. */
function mm(
  a: Operand,
  b: Operand,
  batch: number,
  M: number,
  N: number,
  K: number,
  variant = matmulVariant(),
): Tensor {
  if (batch * M * N === 0) return Tensor.empty([batch, M, N]);
  const tile = variant === "register" ? 32 : 64;
  const mTiles = Math.ceil(M / tile);
  const spec = kernelFor(variant, a, b, M, N, K);
  const loops = (kc: number) => matmulLoops(variant, spec, a.transposed, b.transposed, kc);
  const { splits, chunk } = splitLoop(K, loops, 16);
  const out = Tensor.empty([splits, batch, M, N]);
  const p = {
    M,
    N,
    K,
    mTiles,
    batch,
    aBatch: a.batchStride,
    aRow: a.transposed ? 1 : K,
    aCol: a.transposed ? M : 1,
    bBatch: b.batchStride,
    bRow: b.transposed ? 1 : N,
    bCol: b.transposed ? K : 1,
    kChunk: chunk,
    splits,
  };
  // (row tile, batch entry, split) triples fold over the grid's y and z, so none limits sizes.
  const [gy, gz] = grid1d(mTiles * batch * splits);
  const gx = Math.ceil(N / tile);
  if (gx > 65535) throw new Error(`neurad: matmul supports at most ${65535 * tile} output columns`);
  dispatch(spec, p, [a.t.buffer, b.t.buffer, out.buffer], [gx, gy, gz], loops(chunk));
  if (splits === 1) {
    const c = out.view([batch, M, N]);
    out.dispose();
    return c;
  }
  const c = reduce(out, "sum", 0, false).out;
  out.dispose();
  return c;
}

/**
 * Loop passes of one invocation of `spec` (a `variant` kernel) over kChunk of K: per 16 k the
 * staging loops (the scalar kernel's 4 loads; a vec4 kernel's scatter of a k-contiguous operand)
 * and the 16-deep multiply; the register kernel one pass per k; then the 4×4 store.
 */
function matmulLoops(
  variant: MatmulVariant,
  spec: MatmulSpec,
  aT: boolean,
  bT: boolean,
  kChunk: number,
): number {
  const store = loopCost(4, loopCost(4));
  if (variant === "register") return loopCost(4) + loopCost(kChunk) + store;
  const staging = spec === TILED ? loopCost(4) : (aT ? 0 : loopCost(4)) + (bT ? loopCost(4) : 0);
  return loopCost(Math.ceil(kChunk / 16), staging + loopCost(16)) + store;
}

/**
 * The tiled kernel takes vec4 loads when each operand's contiguous axis is a multiple of 4 (A: K,
 * or M when transposed; B: N, or K when transposed).
 */
export function kernelFor(
  variant: MatmulVariant,
  a: Pick<Operand, "transposed">,
  b: Pick<Operand, "transposed">,
  M: number,
  N: number,
  K: number,
): MatmulSpec {
  if (variant === "register") return REGISTER;
  const vec4 = (a.transposed ? M : K) % 4 === 0 && (b.transposed ? K : N) % 4 === 0;
  return variant === "tiled-scalar" || !vec4 ? TILED : tiledVec4(a.transposed, b.transposed);
}

/** Batch stride of a stored [..batch, r, c] operand broadcast to `batchShape` (copy if needed). */
function batchOperand(
  t: Tensor,
  batchShape: number[],
  rc: number,
): { t: Tensor; stride: number; owned: boolean } {
  const own = numel(t.shape.slice(0, -2));
  const total = numel(batchShape);
  if (own === total) return { t, stride: rc, owned: false };
  if (own === 1) return { t, stride: 0, owned: false };
  const e = expand(t, [...batchShape, ...t.shape.slice(-2)]);
  return { t: e, stride: rc, owned: true };
}

export interface MatmulOptions {
  /** Use aᵀ (a's last two dims swapped) without copying it (attention's qᵀk). */
  transposeA?: boolean;
  /** Use bᵀ without copying it (attention's v·attnᵀ). */
  transposeB?: boolean;
}

/** torch.matmul. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return matmulTransposed(a, b, {});
}

/**
 * torch.matmul of a.mT @ b, a @ b.mT or a.mT @ b.mT (as `transposeA` / `transposeB` say; those
 * operands at least 2-d), reading the transposed operand through strides, never copying it.
 */
export function matmulTransposed(a: Tensor, b: Tensor, o: MatmulOptions): Tensor {
  const tA = o.transposeA ?? false, tB = o.transposeB ?? false;
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error("neurad: matmul needs tensors of at least 1 dim");
  }
  if ((tA && a.ndim < 2) || (tB && b.ndim < 2)) {
    throw new Error("neurad: matmul's transposeA/transposeB need operands of at least 2 dims");
  }
  if (a.ndim === 1) {
    const a2 = reshape(a, [1, a.shape[0]]);
    const r = matmulTransposed(a2, b, o);
    return reshape(r, [...r.shape.slice(0, -2), r.shape[r.ndim - 1]]);
  }
  if (b.ndim === 1) {
    const b2 = reshape(b, [b.shape[0], 1]);
    const r = matmulTransposed(a, b2, o);
    return reshape(r, r.shape.slice(0, -1));
  }
  const [a0, a1] = a.shape.slice(-2);
  const [b0, b1] = b.shape.slice(-2);
  const [M, K] = tA ? [a1, a0] : [a0, a1];
  const [K2, N] = tB ? [b1, b0] : [b0, b1];
  if (K !== K2) {
    throw new Error(
      `neurad: matmul shapes ${formatShape(a.shape)}${tA ? "ᵀ" : ""} and ${formatShape(b.shape)}${
        tB ? "ᵀ" : ""
      } do not match`,
    );
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = numel(batchShape);
  const ao = batchOperand(a, batchShape, M * K);
  const bo = batchOperand(b, batchShape, K * N);
  const flat = mm(
    { t: ao.t, transposed: tA, batchStride: ao.stride },
    { t: bo.t, transposed: tB, batchStride: bo.stride },
    batch,
    M,
    N,
    K,
  );
  if (ao.owned) ao.t.dispose();
  if (bo.owned) bo.t.dispose();
  const out = flat.alias([...batchShape, M, N]);
  flat.dispose();
  return record("matmul", [a, b], out, [a, b], (g, [sa, sb], needs) => {
    const ea = batchOperand(sa, batchShape, M * K);
    const eb = batchOperand(sb, batchShape, K * N);
    const A = (transposed: boolean) => ({ t: ea.t, transposed, batchStride: ea.stride });
    const B = (transposed: boolean) => ({ t: eb.t, transposed, batchStride: eb.stride });
    const G = (transposed: boolean) => ({ t: g, transposed, batchStride: M * N });
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (needs[0]) {
      // d op(A) = g · op(B)ᵀ; stored transposed, dA = op(B) · gᵀ. Summed down to A's shape.
      const full = tA ? mm(B(tB), G(true), batch, K, M, N) : mm(G(false), B(!tB), batch, M, K, N);
      ga = sumToShape(full.alias([...batchShape, ...a.shape.slice(-2)]), a.shape);
      full.dispose();
    }
    if (needs[1]) {
      // d op(B) = op(A)ᵀ · g; stored transposed, dB = gᵀ · op(A).
      const full = tB ? mm(G(true), A(tA), batch, N, K, M) : mm(A(!tA), G(false), batch, K, N, M);
      gb = sumToShape(full.alias([...batchShape, ...b.shape.slice(-2)]), b.shape);
      full.dispose();
    }
    if (ea.owned) ea.t.dispose();
    if (eb.owned) eb.t.dispose();
    return [ga, gb];
  });
}

/** Internal: C = op(A)·op(B) on [M, K]/[K, N] matrices (for benchmarks of both variants). */
export function _mm2d(
  a: Tensor,
  b: Tensor,
  variant: MatmulVariant,
  o: { transposeA?: boolean; transposeB?: boolean } = {},
): Tensor {
  const tA = o.transposeA ?? false, tB = o.transposeB ?? false;
  const [M, K] = tA ? [a.shape[1], a.shape[0]] : a.shape;
  const N = tB ? b.shape[0] : b.shape[1];
  return mm(
    { t: a, transposed: tA, batchStride: 0 },
    { t: b, transposed: tB, batchStride: 0 },
    1,
    M,
    N,
    K,
    variant,
  );
}
