// The kernels shared by groupNorm and batchNorm (shaders/group_norm_*.wgsl): segment statistics,
// the fused normalise-affine-(SiLU) pass, and the two backward passes. A NormLayout says which
// elements share a statistic: groupNorm's (n, group) or batchNorm's channel. Owns the kernels'
// parameter blocks. The statistics and the backward sums loop over a segment's elements in one
// workgroup; llvmpipe cuts an invocation short after 65,535 loop passes (src/core/dispatch.ts),
// so segments too long for that (partLoops counts a part's passes) are split into parts whose
// results are merged in order, as GPUs with few segments already do for parallelism.

import { cachedSpec } from "./kernel_cache.ts";
import statsSrc from "../../shaders/group_norm_stats.wgsl" with { type: "text" };
import combineSrc from "../../shaders/group_norm_stats_combine.wgsl" with { type: "text" };
import applySrc from "../../shaders/group_norm_apply.wgsl" with { type: "text" };
import reduceSrc from "../../shaders/group_norm_backward_reduce.wgsl" with { type: "text" };
import inputSrc from "../../shaders/group_norm_backward_input.wgsl" with { type: "text" };
import { deviceInfo } from "../core/device.ts";
import { dispatch, grid1d, type KernelSpec, loopCost, splitLoop } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { type Fields, paramBlock } from "../core/uniforms.ts";
import { reduce } from "./reduce_core.ts";
import { mapElementwise } from "./elementwise.ts";

/** Segment statistics (group_norm_stats and its combine pass); see NormLayout and normStats. */
const NORM_STATS = paramBlock("NormStatsParams", {
  segments: "u32",
  segStride: "u32",
  chunks: "u32",
  chunkStride: "u32",
  len: "u32",
  parts: "u32",
  partLen: "u32",
});
/** The normalise pass: `total` elements of [N, C, HW]; statistic n·statN + c / Cg. */
const NORM_APPLY = paramBlock("NormApplyParams", {
  total: "u32",
  C: "u32",
  HW: "u32",
  statN: "u32",
  Cg: "u32",
  hasWeight: "u32",
  hasBias: "u32",
  eps: "f32",
});
/** The backward sums: `segments` reduce segments of `chunks` runs of HW, chunkStride apart. */
const NORM_BACKWARD_REDUCE = paramBlock("NormBackwardReduceParams", {
  segments: "u32",
  C: "u32",
  HW: "u32",
  chunks: "u32",
  chunkStride: "u32",
  Cg: "u32",
  hasWeight: "u32",
  hasBias: "u32",
  eps: "f32",
  parts: "u32",
  partLen: "u32",
});
/** The input gradient: NORM_APPLY's fields, whether to use the sums, 1 / M, and `stats`. */
const NORM_BACKWARD_INPUT = paramBlock("NormBackwardInputParams", {
  total: "u32",
  C: "u32",
  HW: "u32",
  statN: "u32",
  Cg: "u32",
  hasWeight: "u32",
  hasBias: "u32",
  useSums: "u32",
  eps: "f32",
  invM: "f32",
  stats: "u32",
});

export interface NormLayout {
  N: number;
  C: number;
  HW: number;
  /** Number of statistics; statistic of (n, c) is n·statN + c / Cg. */
  stats: number;
  statN: number;
  Cg: number;
  /** Elements per statistic. */
  M: number;
  /** Stats segments: `chunks` runs of `len` from s·segStride, `chunkStride` apart. */
  segStride: number;
  chunks: number;
  chunkStride: number;
  len: number;
  /** Backward reduce segments (one per (n, c) for groupNorm, per c for batchNorm) and their runs. */
  reduceSegs: number;
  reduceChunks: number;
}

export function groupLayout(shape: readonly number[], groups: number): NormLayout {
  const [N, C] = shape;
  const HW = shape.slice(2).reduce((a, b) => a * b, 1);
  const Cg = C / groups;
  return {
    N,
    C,
    HW,
    stats: N * groups,
    statN: groups,
    Cg,
    M: Cg * HW,
    segStride: Cg * HW,
    chunks: 1,
    chunkStride: 0,
    len: Cg * HW,
    reduceSegs: N * C,
    reduceChunks: 1,
  };
}

export function channelLayout(shape: readonly number[]): NormLayout {
  const [N, C] = shape;
  const HW = shape.slice(2).reduce((a, b) => a * b, 1);
  return {
    N,
    C,
    HW,
    stats: C,
    statN: 0,
    Cg: 1,
    M: N * HW,
    segStride: HW,
    chunks: N,
    chunkStride: C * HW,
    len: HW,
    reduceSegs: C,
    reduceChunks: N,
  };
}

function spec<F extends Fields>(
  name: string,
  params: KernelSpec<F>["params"],
  src: string,
  silu: boolean,
  inputs: number,
  outputs: number,
): KernelSpec<F> {
  return cachedSpec("channel_norm", `${name}|${silu}`, () => ({
    name,
    params,
    code: src.replaceAll("SILU_FLAG", String(silu)),
    inputs,
    outputs,
  }));
}

/** Workgroups the split statistics aim for: about 8 per SM of a large discrete GPU. */
const STATS_TARGET_WORKGROUPS = 1024;
/** Elements a split part keeps at least (16 per lane of its 256), so a split pays its pass. */
const STATS_MIN_PART = 4096;

/**
 * Parts per statistic: 1 (one workgroup walks the whole segment) unless there are too few
 * segments to fill a discrete GPU and each is long; CPU adapters keep 1 (a workgroup per segment
 * already keeps every core busy there, and the split adds a pass).
 */
export function statsParts(segments: number, count: number, cpuAdapter: boolean): number {
  if (cpuAdapter || segments >= STATS_TARGET_WORKGROUPS) return 1;
  const want = Math.ceil(STATS_TARGET_WORKGROUPS / segments);
  return Math.max(1, Math.min(want, Math.floor(count / STATS_MIN_PART)));
}

/**
 * Loop passes of one walk of a 256-lane workgroup over `partLen` elements of a segment made of
 * `chunks` runs of `len`: the runs it overlaps, and per run its lane's share of the elements.
 */
export function partLoops(partLen: number, len: number, chunks: number): number {
  const runs = Math.min(chunks, Math.ceil(partLen / len) + 1);
  // Σ over runs of ⌈piece / 256⌉ ≤ ⌈partLen / 256⌉ + runs.
  return loopCost(runs) + (Math.ceil(partLen / 256) + runs) + runs;
}

/** The statistics kernel: two walks (the mean, then Σ(x − mean)²), each with its 8-step tree. */
const statsLoops = (partLen: number, l: NormLayout) =>
  2 * partLoops(partLen, l.len, l.chunks) + 2 * loopCost(8);

/** Parts of a multiple of 256 elements (whole lane strides), the last one shorter: at least
 * `parts`, and as many as the loop budget needs. */
function partition(M: number, parts: number, cost: (partLen: number) => number) {
  const p = Math.max(Math.max(1, parts), splitLoop(M, cost, 256).splits);
  const partLen = Math.ceil(M / p / 256) * 256;
  return { parts: Math.ceil(M / partLen), partLen };
}

/**
 * Mean and biased variance of each statistic's elements, each [stats]. `parts` (default from
 * statsParts) > 1 splits each statistic over that many workgroups and merges them in order;
 * segments too long for one workgroup's loop budget get more.
 */
export function normStats(
  x: Tensor,
  l: NormLayout,
  parts = statsParts(l.stats, l.M, deviceInfo().isFallbackAdapter),
): { mean: Tensor; var: Tensor } {
  const mean = Tensor.empty([l.stats]), v = Tensor.empty([l.stats]);
  if (!l.stats || !l.M) return { mean, var: v };
  const { parts: p, partLen } = partition(l.M, parts, (n) => statsLoops(n, l));
  const u = {
    segments: l.stats,
    segStride: l.segStride,
    chunks: l.chunks,
    chunkStride: l.chunkStride,
    len: l.len,
    parts: p,
    partLen,
  };
  const [gy, gz] = grid1d(l.stats);
  const stats = spec("group_norm_stats", NORM_STATS, statsSrc, false, 1, 2);
  if (p <= 1) {
    dispatch(stats, u, [x.buffer, mean.buffer, v.buffer], [1, gy, gz], statsLoops(partLen, l));
    return { mean, var: v };
  }
  const partMean = Tensor.empty([l.stats, p]), partM2 = Tensor.empty([l.stats, p]);
  dispatch(
    stats,
    u,
    [x.buffer, partMean.buffer, partM2.buffer],
    [p, gy, gz],
    statsLoops(partLen, l),
  );
  dispatch(
    spec("group_norm_stats_combine", NORM_STATS, combineSrc, false, 2, 2),
    u,
    [partMean.buffer, partM2.buffer, mean.buffer, v.buffer],
    grid1d(Math.ceil(l.stats / 64)),
    loopCost(p),
  );
  partMean.dispose();
  partM2.dispose();
  return { mean, var: v };
}

export interface Affine {
  weight: Tensor | null;
  bias: Tensor | null;
  eps: number;
  silu: boolean;
}

/** y = [silu](((x − mean)·rsqrt(var + eps))·w + b). */
export function normApply(x: Tensor, mean: Tensor, v: Tensor, l: NormLayout, a: Affine): Tensor {
  const y = Tensor.empty(x.shape);
  if (!y.size) return y;
  dispatch(
    spec("group_norm_apply", NORM_APPLY, applySrc, a.silu, 5, 1),
    {
      total: y.size,
      C: l.C,
      HW: l.HW,
      statN: l.statN,
      Cg: l.Cg,
      hasWeight: !!a.weight,
      hasBias: !!a.bias,
      eps: a.eps,
    },
    [x.buffer, mean.buffer, v.buffer, (a.weight ?? x).buffer, (a.bias ?? x).buffer, y.buffer],
    grid1d(Math.ceil(y.size / 256)),
    0, // no loop
  );
  return y;
}

/** Per reduce segment: Σ gz·xhat and Σ gz (gz = g through the optional SiLU), each [reduceSegs]. */
export function normBackwardSums(
  x: Tensor,
  g: Tensor,
  mean: Tensor,
  v: Tensor,
  l: NormLayout,
  a: Affine,
): { sumGX: Tensor; sumG: Tensor } {
  const M = l.reduceChunks * l.HW, segs = l.reduceSegs;
  if (M === 0 || segs === 0) {
    const zero = { params: "", expr: "0.0", shape: [segs] };
    return { sumGX: mapElementwise("zeros", [], zero), sumG: mapElementwise("zeros", [], zero) };
  }
  // One walk over the part, then the 8-step tree.
  const loops = (n: number) => partLoops(n, l.HW, l.reduceChunks) + loopCost(8);
  const { parts, partLen } = partition(M, 1, loops);
  const partGX = Tensor.empty([segs, parts]), partG = Tensor.empty([segs, parts]);
  const [gy, gz] = grid1d(segs);
  dispatch(
    spec("group_norm_backward_reduce", NORM_BACKWARD_REDUCE, reduceSrc, a.silu, 6, 2),
    {
      segments: l.reduceSegs,
      C: l.C,
      HW: l.HW,
      chunks: l.reduceChunks,
      chunkStride: l.C * l.HW,
      Cg: l.Cg,
      hasWeight: !!a.weight,
      hasBias: !!a.bias,
      eps: a.eps,
      parts,
      partLen,
    },
    [
      x.buffer,
      g.buffer,
      mean.buffer,
      v.buffer,
      (a.weight ?? x).buffer,
      (a.bias ?? x).buffer,
      partGX.buffer,
      partG.buffer,
    ],
    [parts, gy, gz],
    loops(partLen),
  );
  // Parts added in order (a row reduction, itself within the budget).
  const total = (t: Tensor) => {
    const r = parts === 1 ? t.view([segs]) : reduce(t, "sum", 1, false).out;
    t.dispose();
    return r;
  };
  return { sumGX: total(partGX), sumG: total(partG) };
}

/**
 * dx = rstd·(gz·w − (S1 + xhat·S2)/M); `sums` = [S1, S2] ([2·stats]) or null when the statistics
 * are constants (batchNorm in eval mode).
 */
export function normBackwardInput(
  x: Tensor,
  g: Tensor,
  mean: Tensor,
  v: Tensor,
  sums: Tensor | null,
  l: NormLayout,
  a: Affine,
): Tensor {
  const dx = Tensor.empty(x.shape);
  if (!dx.size) return dx;
  dispatch(
    spec("group_norm_backward_input", NORM_BACKWARD_INPUT, inputSrc, a.silu, 7, 1),
    {
      total: dx.size,
      C: l.C,
      HW: l.HW,
      statN: l.statN,
      Cg: l.Cg,
      hasWeight: !!a.weight,
      hasBias: !!a.bias,
      useSums: !!sums,
      eps: a.eps,
      invM: 1 / l.M,
      stats: l.stats,
    },
    [
      x.buffer,
      g.buffer,
      mean.buffer,
      v.buffer,
      (a.weight ?? x).buffer,
      (a.bias ?? x).buffer,
      (sums ?? x).buffer,
      dx.buffer,
    ],
    grid1d(Math.ceil(dx.size / 256)),
    0, // no loop
  );
  return dx;
}
