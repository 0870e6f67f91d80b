// neurad vs @jax-js/jax 0.1.25 (WebGPU, jit) on the first study's whole VAE forward in eval mode
// (inference, what eval and detect run), same adapter, one process. The model: reddipalli22-vae
// at full width (corrected mode: z = μ), input [B, 1, 95, 79]. jax-js runs the same network
// written as a JAX user would, NCHW like neurad, with a copy of neurad's weights: 3 × [conv k5 s2
// p2 → BatchNorm (running statistics, folded into a per-channel scale and shift) → LeakyReLU
// 0.01] → μ head (1×1 conv, BN, LReLU, flatten, dense) → dense → reshape → BN, LReLU, 1×1 conv,
// BN, LReLU → 3 × [transposed conv k5 s2 (paddings 2, 1, 1; as a conv of the input dilated by 2
// with the flipped, transposed kernel; see convT in _vae_jax.ts) → BN → LReLU] → 1×1 conv + bias;
// the whole function under jit. (jax-js computes μ only; neurad's reconstruct also computes the
// unused log σ² head, so neurad carries that extra work.) Outputs must agree
// (max |Δ| ≤ 1e-3 · max |y|) before timing. Each timed call is one forward plus a sync: neurad
// reads the reconstruction back (Tensor.toArray), jax-js waits with blockUntilReady (a zero-byte
// readback). Engines alternate, one warm-up each, medians.
// Run: deno run -A bench/peers/vae_jax_peers_bench.ts [rounds=5] [--batch=16]

import { deviceInfo, getDevice } from "../../src/core/device.ts";
import { noGrad } from "../../src/core/autograd.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { manualSeed } from "../../src/kernels/random.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { loadAvg, median, normals } from "./_conv_peers.ts";
import { JAX_VERSION, loadJax } from "./_engine_jax.ts";
import {
  convT,
  flipTransposeKernel,
  GRID,
  H,
  KERNEL,
  leakyRelu,
  PADS,
  transposeDense,
  W,
} from "./_vae_jax.ts";

const rounds = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 5);
const B = Number(Deno.args.find((a) => a.startsWith("--batch="))?.slice(8) ?? 16);

await getDevice();
const jax = await loadJax();
const { numpy: np, lax, jit } = jax;
// deno-lint-ignore no-explicit-any
type Arr = any;

const config = presetConfig("reddipalli22-vae");
manualSeed(3);
const model = createModel<Module & Autoencoder>(config.model.name, config.model.options);
model.eval();
if ((model as unknown as { mode: string }).mode !== "corrected") {
  throw new Error("the bench needs the corrected VAE (eval decodes μ)");
}
// Non-trivial BatchNorm statistics, so the folded scale and shift are tested.
const host = new Map<string, { data: Float32Array; shape: number[] }>();
let seed = 11;
for (const [k, t] of model.stateDict()) {
  let data = (await t.toArray()) as Float32Array;
  if (k.endsWith("running_mean")) data = normals(t.size, seed++).map((v) => 0.1 * v);
  if (k.endsWith("running_var")) data = normals(t.size, seed++).map((v) => 0.8 + 0.1 * Math.abs(v));
  host.set(k, { data: Float32Array.from(data), shape: [...t.shape] });
}
const update = new Map<string, Tensor>();
for (const [k, v] of host) {
  if (/running_(mean|var)$/.test(k)) update.set(k, Tensor.from(v.data, v.shape));
}
model.loadStateDict(update, { strict: false });
for (const t of update.values()) t.dispose();
const P = (k: string) => {
  const v = host.get(k);
  if (!v) throw new Error(`no parameter ${k}`);
  return v;
};
const bottleneck = P("BN_dec_btn0.weight").shape[0];

// Parameters as jax arrays, prepared once (BN folded; dense weights transposed; transposed-conv
// kernels flipped and transposed), kept alive across calls.
const held: Arr[] = [];
const keep = (data: Float32Array, shape: number[]) => {
  const a = np.array(data, { shape });
  held.push(a);
  return a;
};
function bnParams(prefix: string): [Arr, Arr] {
  const g = P(`${prefix}.weight`).data, b = P(`${prefix}.bias`).data;
  const m = P(`${prefix}.running_mean`).data, v = P(`${prefix}.running_var`).data;
  const C = g.length, scale = new Float32Array(C), shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = g[c] / Math.sqrt(v[c] + 1e-5);
    shift[c] = b[c] - m[c] * scale[c];
  }
  return [keep(scale, [1, C, 1, 1]), keep(shift, [1, C, 1, 1])];
}
function denseParams(prefix: string): [Arr, Arr] {
  const w = P(`${prefix}.weight`), [o, i] = w.shape;
  return [keep(transposeDense(w.data, w.shape), [i, o]), keep(P(`${prefix}.bias`).data, [1, o])];
}
function convTParams(prefix: string): Arr {
  const w = P(`${prefix}.weight`), [ci, co, k] = w.shape;
  return keep(flipTransposeKernel(w.data, w.shape), [co, ci, k, k]);
}
const conv = (name: string) => keep(P(name).data, P(name).shape);
const enc = [0, 3, 6].map((i) => ({
  w: conv(`encoderUnified.Enc.${i}.weight`),
  bn: bnParams(`encoderUnified.Enc.${i + 1}`),
}));
const headW = conv("conv_enc_btn1_mu.weight"), headBn = bnParams("BN_enc_btn1_mu");
const fcMu = denseParams("fc_enc_btn_mu"), fcDec = denseParams("fc_dec_btn");
const bn0 = bnParams("BN_dec_btn0"),
  c1 = conv("conv_dec_btn1.weight"),
  bn1 = bnParams("BN_dec_btn1");
const dec = [0, 3, 6].map((i) => ({
  w: convTParams(`decoderUnified.Dec.${i}`),
  bn: bnParams(`decoderUnified.Dec.${i + 1}`),
}));
const finalW = conv("conv_dec_final.weight");
const finalB = keep(P("conv_dec_final.bias").data, [1, 1, 1, 1]);

// The forward, every parameter passed with .ref (jax-js arrays are consumed by use).
const bnAct = (h: Arr, [s, t]: [Arr, Arr]) => leakyRelu(jax, h.mul(s.ref).add(t.ref));
function forward(x: Arr, lhsDilation = false): Arr {
  let h = x;
  for (const l of enc) {
    h = bnAct(lax.convGeneralDilated(h, l.w.ref, [2, 2], [[2, 2], [2, 2]]), l.bn);
  }
  const g = bnAct(lax.convGeneralDilated(h, headW.ref, [1, 1], [[0, 0], [0, 0]]), headBn);
  const mu = np.dot(g.reshape([B, -1]), fcMu[0].ref).add(fcMu[1].ref);
  const y = np.dot(mu, fcDec[0].ref).add(fcDec[1].ref);
  let d = bnAct(y.reshape([B, bottleneck, GRID[0], GRID[1]]), bn0);
  d = bnAct(lax.convGeneralDilated(d, c1.ref, [1, 1], [[0, 0], [0, 0]]), bn1);
  for (const [j, l] of dec.entries()) {
    const q = KERNEL - 1 - PADS[j];
    const t = lhsDilation
      ? lax.convGeneralDilated(d, l.w.ref, [1, 1], [[q, q], [q, q]], { lhsDilation: [2, 2] })
      : convT(jax, d, l.w.ref, q);
    d = bnAct(t, l.bn);
  }
  return lax.convGeneralDilated(d, finalW.ref, [1, 1], [[0, 0], [0, 0]]).add(finalB.ref);
}
const jitForward = jit((x: Arr) => forward(x));
// jax-js's own dilation (wrong rows, see convT): timed only to show what the workaround costs.
const jitForwardLhs = jit((x: Arr) => forward(x, true));

const xHost = normals(B * H * W, 5).map((v) => 0.5 + 0.2 * v);
const xJax = np.array(xHost, { shape: [B, 1, H, W] });
const xNeurad = Tensor.from(xHost, [B, 1, H, W]);

async function neuradOnce(read = false): Promise<Float32Array | null> {
  const y = noGrad(() => model.reconstruct(xNeurad));
  const v = (await y.toArray()) as Float32Array;
  y.dispose();
  return read ? v : null;
}
async function jaxOnce(read = false, lhs = false): Promise<Float32Array | null> {
  const y = (lhs ? jitForwardLhs : jitForward)(xJax.ref);
  if (read) {
    const v = (await y.data()) as Float32Array;
    return v;
  }
  await y.blockUntilReady();
  y.dispose();
  return null;
}

const info = deviceInfo();
console.log(
  `VAE forward (eval) vs jax-js ${JAX_VERSION} (WebGPU, jit): adapter ${info.description} ` +
    `(${info.backend}), Deno ${Deno.version.deno}, batch ${B}, 1×${H}×${W}, load ${loadAvg()}`,
);
const ref = (await neuradOnce(true))!;
const got = (await jaxOnce(true))!;
let d = 0, top = 0;
for (let i = 0; i < ref.length; i++) {
  d = Math.max(d, Math.abs(ref[i] - got[i]));
  top = Math.max(top, Math.abs(ref[i]));
}
console.log(`check: max |jax-js − neurad| ${d.toExponential(2)} (max |y| ${top.toExponential(2)})`);
if (!(d <= 1e-3 * top)) throw new Error("jax-js's VAE output differs from neurad's: not timed");
const t = { neurad: [] as number[], jax: [] as number[], lhs: [] as number[] };
await neuradOnce();
await jaxOnce();
await jaxOnce(false, true);
for (let r = 0; r < rounds; r++) {
  let t0 = performance.now();
  await neuradOnce();
  t.neurad.push(performance.now() - t0);
  t0 = performance.now();
  await jaxOnce();
  t.jax.push(performance.now() - t0);
  t0 = performance.now();
  await jaxOnce(false, true);
  t.lhs.push(performance.now() - t0);
}
const n = median(t.neurad), j = median(t.jax);
console.log(
  `neurad ${n.toFixed(1)} ms (${(B / n * 1000).toFixed(1)} slices/s), jax-js ${j.toFixed(1)} ms ` +
    `(${(B / j * 1000).toFixed(1)} slices/s), jax-js/neurad ${
      (j / n).toFixed(2)
    }; load ${loadAvg()}`,
);
const l = median(t.lhs);
console.log(
  `(jax-js with its own lhsDilation, whose results are wrong: ${l.toFixed(1)} ms, ` +
    `${(l / n).toFixed(2)}× neurad; the timed path dilates by hand)`,
);
xNeurad.dispose();
xJax.dispose();
held.forEach((a) => a.dispose());
model.dispose();
