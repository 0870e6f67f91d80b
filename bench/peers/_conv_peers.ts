// The side-by-side conv benchmark every peer bench shares: the shapes of the speed goal, neurad's
// own runner of each pass, the result check and the alternating timer. A peer (TF.js,
// onnxruntime-web, jax-js: one `_engine_*.ts` each) only says how it runs each pass on the same
// host data; `runConvPeers` then, per shape and pass, checks every engine's result against
// neurad's (max |Δ| / max |neurad| ≤ 1e-3) before timing, and times the engines alternately
// (neurad, peer 1, peer 2, …, `iters` rounds after one warm-up each) in one process, so drift in
// a shared machine's load hits all alike. A pass may offer several paths in order of preference
// (jax-js's jit input gradient returns wrong borders): the first one that passes the check is
// timed and the others are reported. Every timed call is one pass plus a sync (a readback or
// onSubmittedWorkDone), so all engines carry Deno's ~12 ms sync floor on llvmpipe.
// Passes: forward y = conv(x, w); input grad dx = conv_transpose(g, w); weight grad
// dw = Σ g ⊗ x; fwd+bwd y, dx and dw together. FLOPs: 2·N·Cout·Ho·Wo·Cin·k² per pass (3× that
// for fwd+bwd).

import { conv2d, deviceInfo, getDevice, grad, memoryStats, sync, Tensor } from "../../src/mod.ts";
import { flippedAccess, weightAccess } from "../../src/kernels/conv2d.ts";
import { convGather, convVariant, convWeightGrad } from "../../src/kernels/conv_gather.ts";

export interface ConvShape {
  label: string;
  N: number;
  C: number;
  H: number;
  W: number;
  k: number;
  s: number;
  p: number;
  Co: number;
  Ho: number;
  Wo: number;
  /** FLOPs of one pass (forward, input or weight gradient). */
  flops: number;
}

function shape(N: number, C: number, H: number, W: number, k: number, s: number, Co: number) {
  const p = (k - 1) >> 1;
  const Ho = Math.floor((H + 2 * p - k) / s) + 1, Wo = Math.floor((W + 2 * p - k) / s) + 1;
  const label = `[${N},${C},${H},${W}] k${k}${s > 1 ? ` s${s}` : ""} →${Co}`;
  return { label, N, C, H, W, k, s, p, Co, Ho, Wo, flops: 2 * N * Co * Ho * Wo * C * k * k };
}

/** The shapes of the speed goal (the first study's layers at batch 4-8). */
export const SHAPES: ConvShape[] = [
  shape(4, 32, 64, 64, 3, 1, 64),
  shape(8, 32, 48, 40, 5, 2, 64),
  shape(8, 64, 48, 40, 5, 2, 64),
  shape(8, 128, 24, 20, 3, 1, 128),
];
export const PASSES = ["forward", "input grad", "weight grad", "fwd+bwd"] as const;
export type Pass = typeof PASSES[number];

/** Host data of one shape: x [N, C, H, W], w [Co, C, k, k], g = dY [N, Co, Ho, Wo]. */
export interface ConvData {
  shape: ConvShape;
  x: Float32Array;
  w: Float32Array;
  g: Float32Array;
}

/** convGather's arguments for the input gradient dX = conv_transpose(dY, W) of a shape (the
 * phased gather's dilated form, as conv2d's backward calls it). */
export function inputGradGather(
  sh: ConvShape,
  g: Tensor,
  w: Tensor,
): Parameters<typeof convGather>[0] {
  const { C, H, W, k, s, p } = sh;
  return {
    x: g,
    weight: w,
    access: flippedAccess(weightAccess(C, k, false), k),
    bias: null,
    cout: C,
    ho: H,
    wo: W,
    k,
    convStride: 1,
    inStride: s,
    pad: k - 1 - p,
  };
}

/** A seeded standard normal fill (Box-Muller over a 32-bit LCG), the same for every engine. */
export function normals(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

export function convData(sh: ConvShape): ConvData {
  const { N, C, H, W, k, Co, Ho, Wo } = sh;
  return {
    shape: sh,
    x: normals(N * C * H * W, 1),
    w: normals(Co * C * k * k, 2),
    g: normals(N * Co * Ho * Wo, 3),
  };
}

/**
 * One engine's way to run one pass. `run` starts it and returns its outputs' handles; `wait`
 * blocks until the GPU is done; `read` returns the outputs in NCHW / OIHW order (forward [y],
 * input grad [dx], weight grad [dw], fwd+bwd [y, dx, dw]); `free` releases them.
 */
export interface PassRunner<T = unknown> {
  /** The path taken, when an engine has several (e.g. "jit grad"). */
  path?: string;
  run(): T;
  wait(r: T): Promise<void>;
  read(r: T): Promise<Float32Array[]>;
  free(r: T): void;
}

// deno-lint-ignore no-explicit-any
export type AnyRunner = PassRunner<any>;
export type Runners = Partial<Record<Pass, AnyRunner[]>>;

export interface Engine {
  name: string;
  /** Loads the engine (installs its package if needed); throws if it cannot run here. */
  init?(): Promise<void>;
  /** Runners for one shape's passes: several in order of preference, none for an unsupported pass. */
  prepare(d: ConvData): Promise<Runners>;
  /** Frees what `prepare` made for the last shape. */
  release?(): void;
}

/** neurad, calling exactly what conv2d and its backward call (NCHW, no bias). */
export function neuradEngine(): Engine {
  let held: Tensor[] = [];
  const tensorRunner = (f: () => Tensor[]): PassRunner<Tensor[]> => ({
    run: f,
    wait: () => sync(),
    read: async (r) => await Promise.all(r.map(async (t) => (await t.toArray()) as Float32Array)),
    free: (r) => r.forEach((t) => t.dispose()),
  });
  return {
    name: "neurad",
    async prepare({ shape: sh, x: hx, w: hw, g: hg }) {
      const { N, C, H, W, k, s, p, Co, Ho, Wo } = sh;
      await getDevice();
      const x = Tensor.from(hx, [N, C, H, W]), w = Tensor.from(hw, [Co, C, k, k]);
      const g = Tensor.from(hg, [N, Co, Ho, Wo]);
      held = [x, w, g];
      const dx = () => convGather(inputGradGather(sh, g, w));
      return {
        "forward": [tensorRunner(() => [conv2d(x, w, null, { stride: s, padding: p })])],
        "input grad": [tensorRunner(() => [dx()])],
        "weight grad": [tensorRunner(() => [convWeightGrad(g, x, k, s, p)])],
        "fwd+bwd": [tensorRunner(() => {
          // Through autograd, as a training step runs it.
          const xl = x.view(x.shape).requiresGrad_(true), wl = w.view(w.shape).requiresGrad_(true);
          const y = conv2d(xl, wl, null, { stride: s, padding: p });
          const [gx, gw] = grad(y, [xl, wl], { gradOutputs: [g] });
          xl.dispose();
          wl.dispose();
          return [y, gx, gw];
        })],
      };
    },
    release() {
      held.forEach((t) => t.dispose());
      held = [];
    },
  };
}

// ---- layout helpers for peers in NHWC / HWIO ----

/** [A, B, C, D] → the permutation `perm` of it (a plain host transpose). */
export function permute4(a: Float32Array, dims: number[], perm: number[]): Float32Array {
  const out = new Float32Array(a.length);
  const st = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1];
  const od = perm.map((p) => dims[p]);
  let o = 0;
  for (let i0 = 0; i0 < od[0]; i0++) {
    for (let i1 = 0; i1 < od[1]; i1++) {
      for (let i2 = 0; i2 < od[2]; i2++) {
        const base = i0 * st[perm[0]] + i1 * st[perm[1]] + i2 * st[perm[2]];
        for (let i3 = 0; i3 < od[3]; i3++) out[o++] = a[base + i3 * st[perm[3]]];
      }
    }
  }
  return out;
}
export const NCHW_TO_NHWC = [0, 2, 3, 1], NHWC_TO_NCHW = [0, 3, 1, 2];
export const OIHW_TO_HWIO = [2, 3, 1, 0], HWIO_TO_OIHW = [3, 2, 0, 1];

// ---- check and timing ----

/** max |a − ref| / max |ref| (Infinity on a length mismatch or a NaN). */
export function relError(a: Float32Array, ref: Float32Array): number {
  if (a.length !== ref.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - ref[i]);
    if (!(e <= d)) d = e;
    m = Math.max(m, Math.abs(ref[i]));
  }
  return Number.isNaN(d) ? Infinity : d / (m || 1);
}
export const TOLERANCE = 1e-3;

async function timeOnce(r: PassRunner<unknown>): Promise<number> {
  const t0 = performance.now();
  const out = r.run();
  await r.wait(out);
  const dt = performance.now() - t0;
  r.free(out);
  return dt;
}

async function readOnce(r: PassRunner<unknown>): Promise<Float32Array[]> {
  const out = r.run();
  const v = await r.read(out);
  r.free(out);
  return v;
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0].slice(0, 120);

export const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
export const loadAvg = () => {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
  } catch {
    return "?";
  }
};

export interface PeerResult {
  ms: number | null;
  /** The path timed, and what failed the check, if anything. */
  note: string;
}
export interface Row {
  shape: ConvShape;
  pass: Pass;
  flops: number;
  neurad: number;
  peers: Record<string, PeerResult>;
}

/** Checks, then times, every pass of every shape on neurad and the peers; prints as it goes. */
export async function runConvPeers(
  peers: Engine[],
  iters: number,
  o: { shapes?: ConvShape[]; passes?: readonly Pass[]; log?: (s: string) => void } = {},
): Promise<Row[]> {
  const log = o.log ?? console.log;
  await getDevice();
  const neurad = neuradEngine();
  const rows: Row[] = [];
  for (const sh of o.shapes ?? SHAPES) {
    const data = convData(sh);
    const own = await neurad.prepare(data);
    const theirs = [];
    // A peer that fails on a shape (out of memory, an op it lacks) loses that shape, not the run.
    const why: string[] = [];
    for (const e of peers) {
      theirs.push(
        await e.prepare(data).catch((err) => {
          why[theirs.length] = `failed: ${firstLine(err)}`;
          return {} as Runners;
        }),
      );
    }
    for (const pass of o.passes ?? PASSES) {
      const mine = own[pass]![0] as PassRunner<unknown>;
      const ref = await readOnce(mine);
      const chosen: (PassRunner<unknown> | null)[] = [];
      const notes: string[] = [];
      for (let i = 0; i < peers.length; i++) {
        const failed: string[] = [];
        let pick: PassRunner<unknown> | null = null;
        for (const r of (theirs[i][pass] ?? []) as PassRunner<unknown>[]) {
          let got: Float32Array[];
          try {
            got = await readOnce(r);
          } catch (err) {
            failed.push(`${r.path ?? "default"} failed: ${firstLine(err)}`);
            continue;
          }
          const err = Math.max(...ref.map((t, j) => got[j] ? relError(got[j], t) : Infinity));
          if (err <= TOLERANCE) {
            pick = r;
            break;
          }
          failed.push(`${r.path ?? "default"} wrong (rel. error ${err.toExponential(1)})`);
        }
        if (why[i]) failed.push(why[i]);
        chosen.push(pick);
        notes.push(
          [...failed, pick ? pick.path ?? "" : "no correct path"].filter((s) => s).join("; "),
        );
      }
      // One warm-up each, then alternating rounds.
      await timeOnce(mine);
      for (const r of chosen) if (r) await timeOnce(r);
      const ts: number[][] = [[], ...peers.map(() => [])];
      for (let it = 0; it < iters; it++) {
        ts[0].push(await timeOnce(mine));
        for (let i = 0; i < peers.length; i++) {
          if (chosen[i]) ts[i + 1].push(await timeOnce(chosen[i]!));
        }
      }
      const flops = pass === "fwd+bwd" ? 3 * sh.flops : sh.flops;
      const row: Row = { shape: sh, pass, flops, neurad: median(ts[0]), peers: {} };
      peers.forEach((e, i) => {
        row.peers[e.name] = { ms: chosen[i] ? median(ts[i + 1]) : null, note: notes[i] };
      });
      rows.push(row);
      log(formatRow(row, peers.map((e) => e.name)));
    }
    neurad.release!();
    for (const e of peers) e.release?.();
  }
  return rows;
}

const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(2);

/** The table's header for these peers (markdown). */
export function tableHeader(names: string[]): string {
  const cols = [
    "shape",
    "pass",
    "neurad ms",
    "GFLOP/s",
    ...names.flatMap((n) => [`${n} ms`, `${n}/neurad`]),
  ];
  return `| ${cols.join(" | ")} |\n|${cols.map(() => " --- ").join("|")}|`;
}

export function formatRow(r: Row, names: string[]): string {
  const cells = [r.shape.label, r.pass, r.neurad.toFixed(1), gflops(r.flops, r.neurad)];
  for (const n of names) {
    const p = r.peers[n];
    const note = p.note ? ` (${p.note})` : "";
    cells.push(
      p.ms === null ? "–" : p.ms.toFixed(1),
      p.ms === null ? `–${note}` : `${(p.ms / r.neurad).toFixed(2)}${note}`,
    );
  }
  return `| ${cells.join(" | ")} |`;
}

/** The lines that say where and when a table was measured. */
export function contextLines(): string[] {
  const info = deviceInfo();
  const m = memoryStats();
  return [
    `adapter: ${info.description} (${info.backend}${info.isFallbackAdapter ? ", fallback" : ""})`,
    `Deno ${Deno.version.deno}, load ${loadAvg()} (1-min average), ${new Date().toISOString()}`,
    `neurad conv variant: ${convVariant()}; GPU memory held by neurad ${
      (m.liveBytes / 2 ** 20).toFixed(1)
    } MiB, pooled ${(m.pooledBytes / 2 ** 20).toFixed(1)} MiB`,
  ];
}

/** `deno run` entry of a peer bench: [iterations=5] [--shape TEXT] [--pass TEXT]. */
export async function peerMain(peers: Engine[], args: string[]) {
  const iters = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
  const pick = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sf = pick("--shape"), pf = pick("--pass");
  await getDevice();
  console.log(contextLines().join("\n"));
  console.log(`${iters} alternating rounds; ratio = peer ms / neurad ms (> 1: neurad faster)\n`);
  console.log(tableHeader(peers.map((e) => e.name)));
  await runConvPeers(peers, iters, {
    shapes: SHAPES.filter((s) => !sf || s.label.includes(sf)),
    passes: PASSES.filter((p) => !pf || p === pf),
  });
  console.log(`\nload at the end: ${loadAvg()}`);
}
