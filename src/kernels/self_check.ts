/**
 * A start-up self-check of the kernels on the adapter at hand: a few small computations whose
 * results are known exactly (naive loops here, in double precision), run through the kernels
 * neurad would use on this adapter (every convolution variant, the default matmul, a reduction,
 * NaN through tanh and through a max). Adapters whose whole test suite has passed (Mesa's
 * llvmpipe through Vulkan and through GL) skip it; any other adapter runs it once per process
 * before real work, so a driver or WGSL compiler that computes wrong is refused with one line
 * instead of producing a silently wrong anomaly map. Costs a few dispatches and one readback.
 * @module
 */
import { deviceInfo, getDevice } from "../core/device.ts";
import { Tensor } from "../core/tensor.ts";
import { conv2d } from "./conv2d.ts";
import type { ConvVariant } from "./conv_gather.ts";
import { matmul } from "./matmul.ts";
import { amax, sum } from "./reduce.ts";
import { tanh } from "./unary.ts";

/** Adapters (description pattern, backend) on which the whole test suite has passed. */
const VERIFIED: readonly { description: RegExp; backend: string }[] = [
  { description: /^llvmpipe\b/, backend: "vulkan" },
  { description: /^llvmpipe\b/, backend: "gl" },
];

export interface SelfCheckResult {
  /** "verified": a known adapter, skipped; "passed"/"failed": the checks ran. */
  status: "verified" | "passed" | "failed";
  /** One entry per failed check: what, where and by how much. */
  failures: string[];
}

/** Deterministic inputs in [-1, 1) that are exact in f32. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (((i * 37 + seed * 11) % 29) - 14) / 16;
  return out;
}

function naiveConv(
  x: Float32Array,
  [N, C, H, W]: number[],
  w: Float32Array,
  [F, , K]: number[],
  stride: number,
  pad: number,
): { out: Float64Array; shape: number[] } {
  const Ho = Math.floor((H + 2 * pad - K) / stride) + 1,
    Wo = Math.floor((W + 2 * pad - K) / stride) + 1;
  const out = new Float64Array(N * F * Ho * Wo);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          let acc = 0;
          for (let c = 0; c < C; c++) {
            for (let ky = 0; ky < K; ky++) {
              for (let kx = 0; kx < K; kx++) {
                const iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += x[((n * C + c) * H + iy) * W + ix] * w[((f * C + c) * K + ky) * K + kx];
              }
            }
          }
          out[((n * F + f) * Ho + oy) * Wo + ox] = acc;
        }
      }
    }
  }
  return { out, shape: [N, F, Ho, Wo] };
}

/** The first value outside 1e-4 + 1e-4·|want| (NaN must meet NaN), as one line; null when all agree. */
export function compareValues(
  name: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
): string | null {
  if (got.length !== want.length) return `${name}: ${got.length} values, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= 1e-4 + 1e-4 * Math.abs(w);
    if (!ok) return `${name}: index ${i} is ${g}, expected ${w}`;
  }
  return null;
}

/** True when the adapter in use is one the whole test suite has passed on. */
export function isVerifiedAdapter(): boolean {
  const info = deviceInfo();
  return VERIFIED.some((v) => v.description.test(info.description) && v.backend === info.backend);
}

/**
 * Runs the checks (or skips them on a verified adapter unless `force`); never throws for a
 * wrong result: the caller decides how to refuse.
 */
export async function selfCheck(o: { force?: boolean } = {}): Promise<SelfCheckResult> {
  await getDevice();
  if (!o.force && isVerifiedAdapter()) return { status: "verified", failures: [] };
  const made: Tensor[] = [];
  const keep = <T extends Tensor>(t: T) => (made.push(t), t);
  try {
    const checks: { name: string; got: Tensor; want: ArrayLike<number> }[] = [];
    // Convolutions: odd sizes, stride 2 and 3, padding, every variant.
    const xs = [1, 5, 9, 7], ws = [6, 5, 3, 3];
    const x = keep(Tensor.from(values(315, 1), xs)), w = keep(Tensor.from(values(270, 2), ws));
    for (const [stride, pad] of [[1, 1], [2, 2], [3, 2]]) {
      const want = naiveConv(values(315, 1), xs, values(270, 2), ws, stride, pad).out;
      for (const variant of ["direct", "gemm", "phased"] as ConvVariant[]) {
        checks.push({
          name: `conv2d ${variant} 9×7 k3 s${stride} p${pad}`,
          got: keep(conv2d(x, w, null, { stride, padding: pad, variant })),
          want,
        });
      }
    }
    // Matmul 19×23 · 23×17 with the default kernel.
    const a = values(19 * 23, 3), b = values(23 * 17, 4), mm = new Float64Array(19 * 17);
    for (let i = 0; i < 19; i++) {
      for (let j = 0; j < 17; j++) {
        let acc = 0;
        for (let k = 0; k < 23; k++) acc += a[i * 23 + k] * b[k * 17 + j];
        mm[i * 17 + j] = acc;
      }
    }
    const ta = keep(Tensor.from(a, [19, 23])), tb = keep(Tensor.from(b, [23, 17]));
    checks.push({ name: "matmul 19×23·23×17", got: keep(matmul(ta, tb)), want: mm });
    // A long reduction, and NaN semantics.
    const long = values(4099, 5);
    const tl = keep(Tensor.from(long, [4099]));
    checks.push({
      name: "sum of 4,099",
      got: keep(sum(tl)),
      want: [long.reduce((s, v) => s + v, 0)],
    });
    const special = keep(Tensor.from([NaN, -Infinity, 0, Infinity, 0.5], [5]));
    checks.push({
      name: "tanh of NaN, ±Infinity",
      got: keep(tanh(special)),
      want: [NaN, -1, 0, 1, Math.tanh(0.5)],
    });
    checks.push({ name: "max with a NaN", got: keep(amax(special)), want: [NaN] });
    const results = await Tensor.toArrays(checks.map((c) => c.got));
    const failures = checks.map((c, i) => compareValues(c.name, results[i], c.want))
      .filter((f): f is string => f !== null);
    return { status: failures.length ? "failed" : "passed", failures };
  } finally {
    for (const t of made) t.dispose();
  }
}
