// neurad vs TF.js 4.22 WebGPU on one whole training step, same adapter, one process.
//
// The model: the first study's VAE (`reddipalli22-vae`, src/models/reddipalli22/vae.ts) at
// full width, input 1×95×79, latent 128. neurad runs the step exactly as `neurad train` does
// (buildRunModules → createModel + Adam(1e-4, (0.9, 0.999)), trainStep → vaeStep in
// src/train/loss_steps.ts), like bench/train_step_bench.ts. TF.js runs the same network written
// with its plain ops in its native NHWC layout: tf.conv2d (k5 s2 p2, no bias) → tf.batchNorm with
// the batch's statistics (tf.moments; running statistics updated as PyTorch does) → tf.leakyRelu
// (0.01), ×3; μ and log σ² heads (1×1 conv, BN, LReLU, flatten, tf.matMul + bias); z = μ + ε·e^{½
// log σ²}; decoder tf.matMul → tf.dropout(0.2) → reshape → BN, LReLU, 1×1 conv, BN, LReLU → 3 ×
// [tf.conv2dTranspose k5 s2 (paddings 2, 1, 1) → BN → LReLU] → 1×1 conv + bias. Loss (L1 summed
// per sample + β·KL)/(1 + β), batch means, β = 1 (the preset's); gradients and update through
// tf.train.adam(1e-4, 0.9, 0.999, 1e-8).minimize over the tf.variables. The TF.js parameters are
// initialised with a copy of neurad's (conv filters OIHW → HWIO; transposed-conv weights [Cin,
// Cout, k, k] → TF.js's [k, k, outDepth, inDepth], the same permutation; the Linear weights next
// to the flatten permuted from C·H·W to H·W·C order), so both start from the same point; the
// parameter counts are printed and must match.
//
// Timing: a few warm-up steps of each engine, then N timed steps alternating neurad, TF.js,
// neurad, … so drift in the shared machine's load hits both alike. Each timed step is the whole
// step plus a one-element readback of its loss (neurad: loss.toArray(); TF.js: loss.data(); a
// readback submits everything recorded before it, Adam's update included, and waits for it;
// TF.js's onSubmittedWorkDone alone returns early). Both engines get the same batch of random
// inputs in [0, 1). Prints the median ms per step of each and the ratio TF.js / neurad
// (> 1: neurad faster), and the load average from /proc/loadavg before and after.
//
// --vqgan: the first study's VQGAN (`reddipalli22-vqgan`, corrected mode, D 64, K 128) at width
// ×0.25 on both sides (4.5 M parameters; full width has 70 M and takes minutes per step here),
// generator step only: no discriminator (the preset's disc_start is 5000; the adaptive λ needs
// it) and no LPIPS (the preset has no LPIPS weights by default), so the loss is mean |x − x̂| +
// VQ loss (codebook + 0.25·commitment), Adam(4.5e-6, (0.5, 0.9)). The TF.js network is built
// layer by layer from neurad's module list (encoder.model.i, decoder.model.i): conv 3×3,
// ResnetBlocks (GroupNorm(32, 1e-6) from tf.moments over [H, W, channels of the group], swish =
// x·sigmoid(x)), AttnBlocks (1×1 q, k, v, softmax(q·kᵀ/√C)·v, proj_out), Downsample (pad right
// and bottom by 1, conv 3×3 s2), Upsample (tf.image.resizeNearestNeighbor ×2, conv 3×3), the
// output tail (conv2dTranspose k5 ×3, k4 p2, 1×1 conv, tf.image.resizeBilinear to 95×79 with
// half-pixel centres = PyTorch's align_corners=False); the quantiser as ‖z‖² − 2z·Eᵀ + ‖E‖²,
// argMin, one-hot·E (see tfForwardVqgan), straight-through z + sg(e − z), sg through
// tf.customGrad.
//
// Batch 2 on llvmpipe; NEURAD_BENCH_SIZE=gpu → batch 16 (the study's); --batch=N sets it.
//
// TF.js's gradient functions are not in tfjs-core's bundles (the @tensorflow/tfjs union package
// registers them); registerTfGradients() below bundles tfjs-core's register_all_gradients.js with
// esbuild (a devDependency) into a temporary module at start-up.
//
// --check: the same computation? With TF.js holding neurad's weights (VAE: dropout off and ε = 0,
// z = μ, on both sides, BN on batch statistics as in training), compares μ, log σ², the
// reconstruction, the loss and the gradients of every parameter for one batch and prints the max
// deviations, then the parameters after one Adam step each (Adam's first step is about lr·sign(g),
// so a gradient entry near 0 whose rounding differs can move by up to 2·lr). Exits 1 when the
// reconstruction deviates by more than 1e-3.
//
// --memory: peak GPU memory of one whole training step (after the warm-up steps, readback and
// Adam's update included) instead of its time; each engine runs alone while it is measured.
// neurad: memoryStats()'s high-water marks (src/core/memory.ts, reset by resetPeakMemory() just
// before the step) of the bytes in live tensors' buffers ("live": parameters, Adam's m and v,
// gradients, activations kept for backward, temporaries; counted by size class, up to 25 % above
// the request) and of live + the pool's cached free buffers ("held": every buffer the pool owns).
// Outside the pool neurad holds only a 256 KiB uniform arena and a loss-sized readback staging
// buffer. TF.js 4.22 has no peak: tf.memory() reports numBytesInGPU (its BufferManager's
// numBytesUsed: buffers handed out, tensors' storage plus uniform and staging buffers) and
// numBytesAllocatedInGPU (numBytesAllocated: used + its free lists), nothing else (no
// numBytesInGPUFree); both rise only in BufferManager.acquireBuffer, so the bench wraps that method
// on the backend's instance and takes high-water marks of both after every acquire, and of the
// STORAGE-usage buffers alone (tensors, without uniforms and staging). Ratios neurad / TF.js
// (≤ 1: neurad uses no more): live / in use, held / allocated. Also printed: what each engine holds
// at the step's start (parameters + optimiser state + cached buffers) and the parameter bytes.
// --batch=N sets the batch of either model (default 2; 16 with NEURAD_BENCH_SIZE=gpu).
//
// Run: deno run -A bench/peers/train_step_peers_bench.ts [iterations=5] [--vqgan] [--check]
// [--memory] [--batch=N]
// (also under `deno bench -A bench/peers/`: one Deno.bench per engine, timing includes the sync).

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import * as esbuild from "esbuild";
import { deviceInfo, getDevice, memoryStats, noGrad, Tensor, zeros } from "../../src/mod.ts";
import { resetPeakMemory } from "../../src/core/memory.ts";
import { rand } from "../../src/kernels/random.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { trainStep } from "../../src/train/loss_steps.ts";
import { buildRunModules } from "../../src/train/trainer.ts";
import { Reddipalli22Vae } from "../../src/models/reddipalli22/vae.ts";
import { Reddipalli22Vqgan } from "../../src/models/reddipalli22/vqgan.ts";
import { Conv2d } from "../../src/nn/conv2d.ts";
import { ConvTranspose2d } from "../../src/nn/conv_transpose2d.ts";
import { GroupNorm } from "../../src/nn/group_norm.ts";
import { SiLU } from "../../src/nn/activations.ts";
import { AttnBlock } from "../../src/nn/attn_block.ts";
import { Downsample } from "../../src/models/blocks/downsample.ts";
import { Upsample } from "../../src/models/blocks/upsample.ts";
import { ResnetBlock } from "../../src/models/blocks/resnet_block.ts";
import type { Module } from "../../src/nn/module.ts";
import { GPU_SIZES } from "../_throughput.ts";

/**
 * TF.js's gradient functions: tfjs-core's bundles leave them out (the union package registers
 * them), and their ES modules import without file extensions, so esbuild bundles
 * register_all_gradients.js once into a temporary module. That copy of tfjs-core's internals
 * registers into the same global engine and gradient registry (TF.js keeps both on globalThis).
 */
async function registerTfGradients() {
  const dir = await Deno.makeTempDir({ prefix: "neurad-tfjs-grads-" });
  const out = `${dir}/register_all_gradients.mjs`;
  try {
    await esbuild.build({
      entryPoints: [
        new URL(
          "../../node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js",
          import.meta.url,
        ).pathname,
      ],
      bundle: true,
      format: "esm",
      platform: "neutral",
      outfile: out,
      logLevel: "error",
    });
    await import(`file://${out}`);
  } finally {
    await esbuild.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

await getDevice();
await registerTfGradients();
await tf.setBackend("webgpu");
await tf.ready();

const CHECK = Deno.args.includes("--check");
const MODEL: "vae" | "vqgan" = Deno.args.includes("--vqgan") ? "vqgan" : "vae";
const PRESET = `reddipalli22-${MODEL}`;
/** The VQGAN's width on both sides (full width: 70 M parameters, minutes per step here). */
const VQGAN_WIDTH = 0.25;
const ITERS = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 5);
const WARMUP = 2;
const MEMORY = Deno.args.includes("--memory");
const BATCH_ARG = Deno.args.find((a) => a.startsWith("--batch="));
const B = BATCH_ARG ? Number(BATCH_ARG.slice("--batch=".length)) : GPU_SIZES ? 16 : 2;
if (!(Number.isInteger(B) && B >= 1)) throw new Error(`--batch: expected an integer ≥ 1`);
const H = 95, W = 79;
const SLOPE = 0.01, EPS_BN = 1e-5, MOMENTUM = 0.1;

const loadavg = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

// ---------------------------------------------------------------------------------------------
// neurad: the preset's modules and step, as bench/train_step_bench.ts runs them.

const config = presetConfig(PRESET);
const modelOptions = config.model.options as Record<string, unknown>;
if (MODEL === "vae" && CHECK) modelOptions.dropRate = 0;
if (MODEL === "vqgan") {
  // Generator step only: no discriminator (the preset's disc_start is 5000 anyway), no LPIPS
  // (the preset has no LPIPS weights by default): L1 + VQ loss, Adam(4.5e-6, (0.5, 0.9)).
  modelOptions.widthMultiplier = VQGAN_WIDTH;
  config.discriminator = undefined;
  config.lpips = undefined;
}
const mods = buildRunModules(config);
const model = mods.model as Reddipalli22Vae | Reddipalli22Vqgan;
const BOTTLENECK = model instanceof Reddipalli22Vae ? model.bottleneck : 0;
const GRID = [12, 10] as const;
const CELLS = GRID[0] * GRID[1];

// ---------------------------------------------------------------------------------------------
// TF.js: the same network, parameters copied from neurad's.

/** neurad's [rows, cols] Linear weight with its flat C·H·W index (rows or cols) moved to H·W·C. */
function permuteFlat(a: Float32Array, rows: number, cols: number, flatAxis: 0 | 1): Float32Array {
  const out = new Float32Array(a.length);
  const flatIndex = (i: number) => { // C·H·W index i → H·W·C index
    const c = Math.floor(i / CELLS), p = i % CELLS;
    return p * BOTTLENECK + c;
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const rr = flatAxis === 0 ? flatIndex(r) : r, cc = flatAxis === 1 ? flatIndex(c) : c;
      out[rr * cols + cc] = a[r * cols + c];
    }
  }
  return out;
}

/** A neurad parameter's value in TF.js's layout (see the header). */
async function toTf(name: string, t: Tensor): Promise<tf.Tensor> {
  const a = await t.toArray() as Float32Array;
  if (t.ndim === 4) return tf.tidy(() => tf.transpose(tf.tensor(a, [...t.shape]), [2, 3, 1, 0]));
  if (/^fc_enc_btn_(mu|logvar)\.weight$/.test(name)) {
    return tf.tensor(permuteFlat(a, t.shape[0], t.shape[1], 1), [...t.shape]);
  }
  if (name === "fc_dec_btn.weight") {
    return tf.tensor(permuteFlat(a, t.shape[0], t.shape[1], 0), [...t.shape]);
  }
  if (name === "fc_dec_btn.bias") return tf.tensor(permuteFlat(a, t.shape[0], 1, 0), [...t.shape]);
  return tf.tensor(a, [...t.shape]);
}

const P: Record<string, tf.Variable> = {};
const RUNNING: Record<string, { mean: tf.Variable; variance: tf.Variable }> = {};
for (const [name, t] of model.namedParameters()) {
  const v = await toTf(name, t);
  P[name] = tf.variable(v, true, name);
  v.dispose();
}
const bnNames = MODEL !== "vae" ? [] : [
  ...new Set(
    Object.keys(P).filter((k) => P[k].rank === 1 && /BN|Enc\.[147]|Dec\.[147]/.test(k)).map((k) =>
      k.replace(/\.(weight|bias)$/, "")
    ),
  ),
];
for (const n of bnNames) {
  const c = P[`${n}.weight`].shape[0];
  RUNNING[n] = {
    mean: tf.variable(tf.zeros([c]), false, `${n}.running_mean`),
    variance: tf.variable(tf.ones([c]), false, `${n}.running_var`),
  };
}

/** BatchNorm2d in training mode: batch statistics, running statistics updated (unbiased var). */
function bn(x: tf.Tensor4D, name: string): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const r = RUNNING[name];
  r.mean.assign(tf.add(tf.mul(r.mean, 1 - MOMENTUM), tf.mul(mean, MOMENTUM)));
  r.variance.assign(
    tf.add(
      tf.mul(r.variance, 1 - MOMENTUM),
      tf.mul(variance, (MOMENTUM * n) / (n - 1)),
    ),
  );
  return tf.batchNorm(
    x,
    mean,
    variance,
    P[`${name}.bias`],
    P[`${name}.weight`],
    EPS_BN,
  ) as tf.Tensor4D;
}

const lrelu = (x: tf.Tensor4D) => tf.leakyRelu(x, SLOPE);
const conv1x1 = (x: tf.Tensor4D, name: string) => tf.conv2d(x, P[name] as tf.Tensor4D, 1, 0);
const linear = (x: tf.Tensor2D, name: string) =>
  tf.add(tf.matMul(x, P[`${name}.weight`] as tf.Tensor2D, false, true), P[`${name}.bias`]);

type TfOut = {
  recon: tf.Tensor4D;
  mu?: tf.Tensor2D;
  logvar?: tf.Tensor2D;
  vqLoss?: tf.Scalar;
};

/** The VAE's forward in TF.js (NHWC). `eval`: dropout off, ε = 0 (for --check). */
function tfForwardVae(x: tf.Tensor4D, deterministic: boolean): TfOut {
  const N = x.shape[0];
  let h = x;
  for (const i of [0, 3, 6]) {
    h = lrelu(
      bn(
        tf.conv2d(h, P[`encoderUnified.Enc.${i}.weight`] as tf.Tensor4D, 2, 2),
        `encoderUnified.Enc.${i + 1}`,
      ),
    );
  }
  const head = (k: "mu" | "logvar") => {
    const g = lrelu(bn(conv1x1(h, `conv_enc_btn1_${k}.weight`), `BN_enc_btn1_${k}`));
    return linear(tf.reshape(g, [N, -1]), `fc_enc_btn_${k}`) as tf.Tensor2D;
  };
  const mu = head("mu"), logvar = head("logvar");
  const z = deterministic
    ? mu
    : tf.add(mu, tf.mul(tf.randomNormal(mu.shape), tf.exp(tf.mul(logvar, 0.5))));
  let y = linear(z as tf.Tensor2D, "fc_dec_btn");
  if (!deterministic) y = tf.dropout(y, 0.2);
  let d = tf.reshape(y, [N, GRID[0], GRID[1], BOTTLENECK]) as tf.Tensor4D;
  d = lrelu(bn(d, "BN_dec_btn0"));
  d = lrelu(bn(conv1x1(d, "conv_dec_btn1.weight"), "BN_dec_btn1"));
  const pads = [2, 1, 1];
  for (const [j, i] of [0, 3, 6].entries()) {
    const f = P[`decoderUnified.Dec.${i}.weight`] as tf.Tensor4D; // [k, k, out, in]
    const p = pads[j];
    const ho = (d.shape[1] - 1) * 2 - 2 * p + 5, wo = (d.shape[2] - 1) * 2 - 2 * p + 5;
    d = tf.conv2dTranspose(d, f, [N, ho, wo, f.shape[2]], 2, p);
    d = lrelu(bn(d, `decoderUnified.Dec.${i + 1}`));
  }
  const recon = tf.add(
    conv1x1(d, "conv_dec_final.weight"),
    P["conv_dec_final.bias"],
  ) as tf.Tensor4D;
  return { mu: mu as tf.Tensor2D, logvar, recon };
}

// The VQGAN, layer by layer as neurad's module tree lists them (encoder.model.i, decoder.model.i).

/** Stop-gradient (tfjs-core has none): the identity with a zero gradient. */
const sg = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as (x: tf.Tensor) => tf.Tensor;

function tfConv(x: tf.Tensor4D, c: Conv2d, prefix: string): tf.Tensor4D {
  const y = tf.conv2d(x, P[`${prefix}.weight`] as tf.Tensor4D, c.stride, c.padding);
  return c.hasBias ? tf.add(y, P[`${prefix}.bias`]) : y;
}

const swish = (x: tf.Tensor4D) => tf.mul(x, tf.sigmoid(x)) as tf.Tensor4D;

/** GroupNorm over NHWC: statistics per (n, group) over H, W and the group's channels. */
function tfGroupNorm(x: tf.Tensor4D, g: GroupNorm, prefix: string): tf.Tensor4D {
  const [N, h, w, C] = x.shape, G = g.numGroups;
  const xg = tf.reshape(x, [N, h, w, G, C / G]);
  const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
  const y = tf.reshape(tf.div(tf.sub(xg, mean), tf.sqrt(tf.add(variance, g.eps))), [N, h, w, C]);
  return tf.add(tf.mul(y, P[`${prefix}.weight`]), P[`${prefix}.bias`]);
}

function tfAttn(x: tf.Tensor4D, a: AttnBlock, prefix: string): tf.Tensor4D {
  const [N, h, w, C] = x.shape;
  const hn = tfGroupNorm(x, a.norm, `${prefix}.norm`);
  const rows = (k: string) => tf.reshape(tfConv(hn, a.q, `${prefix}.${k}`), [N, h * w, C]);
  const q = rows("q"), k = rows("k"), v = rows("v");
  const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(C)));
  let out = tf.reshape(tf.matMul(att, v), [N, h, w, C]) as tf.Tensor4D;
  if (a.projOut === "applied") out = tfConv(out, a.proj_out!, `${prefix}.proj_out`);
  return tf.add(x, out);
}

function tfLayer(x: tf.Tensor4D, m: Module, prefix: string): tf.Tensor4D {
  if (m instanceof Conv2d) return tfConv(x, m, prefix);
  if (m instanceof ConvTranspose2d) {
    const [N, h, w] = x.shape, k = m.kernelSize, s = m.stride, p = m.padding;
    const op = m.outputPadding;
    const f = P[`${prefix}.weight`] as tf.Tensor4D; // [k, k, out, in]
    const shape: [number, number, number, number] = [
      N,
      (h - 1) * s - 2 * p + k + op,
      (w - 1) * s - 2 * p + k + op,
      f.shape[2],
    ];
    const y = tf.conv2dTranspose(x, f, shape, s, p);
    return m.hasBias ? tf.add(y, P[`${prefix}.bias`]) : y;
  }
  if (m instanceof GroupNorm) return tfGroupNorm(x, m, prefix);
  if (m instanceof SiLU) return swish(x);
  if (m instanceof ResnetBlock) {
    let h = tfConv(swish(tfGroupNorm(x, m.norm1, `${prefix}.norm1`)), m.conv1, `${prefix}.conv1`);
    h = tfConv(swish(tfGroupNorm(h, m.norm2, `${prefix}.norm2`)), m.conv2, `${prefix}.conv2`);
    const skip = m.nin_shortcut ? tfConv(x, m.nin_shortcut, `${prefix}.nin_shortcut`) : x;
    return tf.add(skip, h);
  }
  if (m instanceof AttnBlock) return tfAttn(x, m, prefix);
  if (m instanceof Downsample) {
    // taming: zero-pad right and bottom by 1, conv 3×3 stride 2 without padding.
    return tfConv(tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]), m.conv, `${prefix}.conv`);
  }
  if (m instanceof Upsample) {
    const [, h, w] = x.shape;
    return tfConv(tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]), m.conv, `${prefix}.conv`);
  }
  const size = (m as unknown as { size?: [number, number] }).size;
  if (size) return tf.image.resizeBilinear(x, size, false, true); // align_corners = False
  throw new Error(`no TF.js version of ${m.constructor.name} (${prefix})`);
}

function tfSequential(x: tf.Tensor4D, layers: readonly unknown[], prefix: string): tf.Tensor4D {
  layers.forEach((m, i) => x = tfLayer(x, m as Module, `${prefix}.${i}`));
  return x;
}

/** Encoder → quant_conv → nearest code (straight-through) → post_quant_conv → decoder. */
function tfForwardVqgan(x: tf.Tensor4D): TfOut {
  const m = model as Reddipalli22Vqgan;
  const z = tfConv(
    tfSequential(x, m.encoder.model.layers, "encoder.model"),
    m.quant_conv,
    "quant_conv",
  );
  const [N, h, w, D] = z.shape;
  const ze = tf.reshape(z, [N * h * w, D]) as tf.Tensor2D;
  const E = P["codebook.embedding.weight"] as tf.Tensor2D; // [K, D]
  const dist = tf.add(
    tf.sub(tf.sum(tf.square(ze), 1, true), tf.mul(tf.matMul(ze, E, false, true), 2)),
    tf.sum(tf.square(E), 1),
  );
  // The codes as one-hot rows times E: tf.gather's gradient for its indices is int32, which
  // TF.js's tape rejects when the indices depend on variables (as argMin's output here does).
  const e = tf.matMul(tf.oneHot(tf.argMin(dist, 1), E.shape[0], 1, 0, "float32"), E);
  // Corrected mode: codebook + β·commitment, mse means.
  const codebook = tf.mean(tf.square(tf.sub(e, sg(ze))));
  const commitment = tf.mean(tf.square(tf.sub(ze, sg(e))));
  const vqLoss = tf.add(codebook, tf.mul(commitment, m.beta)) as tf.Scalar;
  const zq = tf.reshape(tf.add(ze, sg(tf.sub(e, ze))), [N, h, w, D]) as tf.Tensor4D;
  const y = tfConv(zq, m.post_quant_conv, "post_quant_conv");
  return { recon: tfSequential(y, m.decoder.model.layers, "decoder.model"), vqLoss };
}

function tfForward(x: tf.Tensor4D, deterministic: boolean): TfOut {
  return MODEL === "vae" ? tfForwardVae(x, deterministic) : tfForwardVqgan(x);
}

/**
 * VAE: (L1 summed per sample + β·KL)/(1 + β), β = the preset's klWeight. VQGAN (discriminator
 * off): mean |x − x̂| + vqWeight·VQ loss.
 */
function tfLoss(x: tf.Tensor4D, o: TfOut): tf.Scalar {
  if (MODEL === "vqgan") {
    return tf.add(tf.mean(tf.abs(tf.sub(o.recon, x))), tf.mul(o.vqLoss!, config.train.vqWeight));
  }
  const N = x.shape[0], beta = config.train.klWeight;
  const l1 = tf.div(tf.sum(tf.abs(tf.sub(o.recon, x))), N);
  const klTerms = tf.mul(
    tf.sub(tf.add(tf.square(o.mu!), tf.exp(o.logvar!)), tf.add(o.logvar!, 1)),
    0.5,
  );
  const kl = tf.div(tf.sum(klTerms), N);
  return tf.div(tf.add(l1, tf.mul(kl, beta)), 1 + beta) as tf.Scalar;
}

const tfOpt = tf.train.adam(config.train.lr, config.train.betas[0], config.train.betas[1], 1e-8);
const tfVars = Object.values(P);

function tfStep(x: tf.Tensor4D, deterministic = false): tf.Scalar {
  return tfOpt.minimize(() => tfLoss(x, tfForward(x, deterministic)), true, tfVars)!;
}

// ---------------------------------------------------------------------------------------------

const neuradCount = model.parameters().reduce((s, p) => s + p.size, 0);
const tfCount = tfVars.reduce((s, v) => s + v.size, 0);
const info = deviceInfo();
console.log(`adapter: ${info.description} (${info.backend}); load ${loadavg()}`);
console.log(
  `${PRESET}${
    MODEL === "vqgan" ? ` (width ×${VQGAN_WIDTH}, discriminator off)` : ""
  }, batch ${B}, 1×${H}×${W}; parameters: neurad ${neuradCount.toLocaleString()}, ` +
    `TF.js ${tfCount.toLocaleString()} (${tfVars.length} variables)`,
);
if (neuradCount !== tfCount) throw new Error("parameter counts differ");

const xn = rand([B, 1, H, W]);
const xData = await xn.toArray() as Float32Array;
// Same values in NHWC (C = 1: the same memory order).
const xt = tf.tensor4d(xData, [B, H, W, 1]);

const maxDev = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const maxAbs = (a: ArrayLike<number>) => maxDev(a, new Float32Array(a.length));

async function check() {
  // neurad in training mode. VAE: batch statistics, dropout 0 (the model was built with dropRate
  // 0), ε = 0 so z = μ. VQGAN: deterministic already (GroupNorm, nearest code).
  const vae = model instanceof Reddipalli22Vae ? model : null;
  const eps = vae ? zeros([B, vae.latentDim]) : null;
  const out = noGrad(() => vae ? vae.forward(xn, { eps: eps! }) : model.forward(xn));
  const to = tf.tidy(() => tfForward(xt, true));
  const tLoss = tf.tidy(() => tfLoss(xt, to));
  const tl = (await tLoss.data())[0];
  // TF.js recon NHWC with C = 1: the same order as neurad's NCHW.
  const nRec = await out.recon.toArray(), tRec = await to.recon.data();
  const recDev = maxDev(nRec, tRec);
  const parts: string[] = [];
  for (const k of ["mu", "logvar", "vqLoss"] as const) {
    if (!out[k] || !to[k]) continue;
    const a = await out[k]!.toArray(), b = await to[k]!.data();
    parts.push(`${k} ${maxDev(a, b).toExponential(2)} (max |${k}| ${maxAbs(a).toFixed(3)})`);
  }
  tf.dispose([to.recon, to.mu, to.logvar, to.vqLoss, tLoss].filter((t) => !!t) as tf.Tensor[]);
  for (const t of Object.values(out)) (t as Tensor | undefined)?.dispose();
  eps?.dispose();
  console.log(
    `check (${vae ? "dropout off, ε = 0, batch statistics" : "training mode"}): max |Δ| ${
      parts.join(", ")
    }, reconstruction ${recDev.toExponential(2)} (max |x̂| ${maxAbs(nRec).toFixed(3)})`,
  );
  // Gradients of the loss (TF.js: tf.variableGrads; neurad: p.grad left by vaeStep's
  // backward), then one Adam step each and the updated parameters.
  const { value: tv, grads } = tf.variableGrads(() => tfLoss(xt, tfForward(xt, true)), tfVars);
  const tl2 = (await tv.data())[0];
  tv.dispose();
  const lossN = trainStepDeterministic();
  const nl = (await lossN.toArray())[0];
  lossN.dispose();
  // Per parameter max |Δ| / max |g|; a parameter whose gradient is 0 in exact arithmetic (a
  // conv bias right before a GroupNorm of one channel per group) holds rounding noise only, so
  // the scale has a floor of 1e-4 × the largest gradient entry of the model.
  const rows: { name: string; d: number; scale: number }[] = [];
  for (const [name, p] of model.namedParameters()) {
    const ref = await toTf(name, p.grad!);
    const g = await ref.data(), gt = await grads[name].data();
    ref.dispose();
    rows.push({ name, d: maxDev(g, gt), scale: maxAbs(g) });
  }
  tf.dispose(grads);
  const gMax = Math.max(...rows.map((r) => r.scale));
  let worst = { name: "", rel: 0, abs: 0 };
  for (const r of rows) {
    const rel = r.d / Math.max(r.scale, 1e-4 * gMax);
    if (rel > worst.rel) worst = { name: r.name, rel, abs: r.d };
  }
  console.log(
    `check loss: neurad ${nl.toFixed(4)}, TF.js ${tl2.toFixed(4)} (forward-only TF.js ${
      tl.toFixed(4)
    }); gradients: worst max |Δ| / max(max |g|, 1e-4·${gMax.toExponential(2)}) over the ` +
      `${tfVars.length} parameters ${worst.rel.toExponential(2)} (${worst.name}, max |Δ| ` +
      `${worst.abs.toExponential(2)})`,
  );
  const tls = tfStep(xt, true);
  tls.dispose();
  let worstStep = 0;
  for (const [name, nt] of model.namedParameters()) {
    const ref = await toTf(name, nt);
    worstStep = Math.max(worstStep, maxDev(await ref.data(), await P[name].data()));
    ref.dispose();
  }
  console.log(
    `check after one Adam step (lr ${config.train.lr}): max |Δ| over all parameters ` +
      worstStep.toExponential(2),
  );
  if (!(recDev <= 1e-3)) {
    console.log("check FAILED: reconstruction deviates by more than 1e-3");
    Deno.exit(1);
  }
}

/** vaeStep's computation with ε fixed (for --check; the bench itself calls trainStep). */
function trainStepDeterministic(): Tensor {
  const fwd = model.forward.bind(model);
  const eps = zeros([B, model instanceof Reddipalli22Vae ? model.latentDim : 1]);
  if (model instanceof Reddipalli22Vae) {
    const vaeFwd = model.forward.bind(model);
    model.forward = (x: Tensor) => vaeFwd(x, { eps });
  }
  try {
    const terms = trainStep(mods, config.train, xn, 0, 0);
    const loss = terms.loss;
    for (const [k, t] of Object.entries(terms)) if (k !== "loss") t.dispose();
    return loss;
  } finally {
    model.forward = fwd;
    eps.dispose();
  }
}

if (import.meta.main && CHECK) {
  await check();
  Deno.exit(0);
}

// --- --memory ----------------------------------------------------------------------------

/** TF.js's WebGPU BufferManager (tfjs-backend-webgpu 4.22, src/buffer_manager.ts). */
interface TfBufferManager {
  numBytesUsed: number;
  numBytesAllocated: number;
  acquireBuffer(size: number, usage: number, mapped?: boolean, reuse?: boolean): GPUBuffer;
  releaseBuffer(buffer: GPUBuffer, reuse?: boolean): void;
}

/** High-water marks of TF.js's used and allocated GPU bytes, and of its STORAGE buffers in use. */
const tfMem = { peakUsed: 0, peakAllocated: 0, storageUsed: 0, peakStorageUsed: 0 };

function trackTfBuffers(): TfBufferManager {
  const bm = (tf.backend() as unknown as { bufferManager: TfBufferManager }).bufferManager;
  if (typeof bm?.acquireBuffer !== "function" || typeof bm.numBytesAllocated !== "number") {
    throw new Error("TF.js WebGPU backend: no bufferManager (not 4.22?)");
  }
  const acquire = bm.acquireBuffer.bind(bm), release = bm.releaseBuffer.bind(bm);
  const inUse = new WeakSet<GPUBuffer>();
  bm.acquireBuffer = (size, usage, mapped, reuse) => {
    const b = acquire(size, usage, mapped, reuse);
    if (usage & GPUBufferUsage.STORAGE) {
      tfMem.storageUsed += size;
      inUse.add(b);
    }
    tfMem.peakUsed = Math.max(tfMem.peakUsed, bm.numBytesUsed);
    tfMem.peakAllocated = Math.max(tfMem.peakAllocated, bm.numBytesAllocated);
    tfMem.peakStorageUsed = Math.max(tfMem.peakStorageUsed, tfMem.storageUsed);
    return b;
  };
  bm.releaseBuffer = (b, reuse) => {
    if (inUse.delete(b)) tfMem.storageUsed -= b.size;
    release(b, reuse);
  };
  return bm;
}

async function measureMemory() {
  const bm = trackTfBuffers();
  const MiB = (n: number) => (n / 2 ** 20).toFixed(1);
  const paramBytes = neuradCount * 4;
  for (let i = 0; i < WARMUP; i++) {
    await neuradStep();
    await tfjsStep();
  }
  const n0 = memoryStats();
  resetPeakMemory();
  await neuradStep();
  const n1 = memoryStats();
  const t0 = { used: bm.numBytesUsed, allocated: bm.numBytesAllocated, storage: tfMem.storageUsed };
  tfMem.peakUsed = t0.used;
  tfMem.peakAllocated = t0.allocated;
  tfMem.peakStorageUsed = t0.storage;
  await tfjsStep();
  const t1 = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
  console.log(
    `parameters ${MiB(paramBytes)} MiB (Adam's m and v: ${MiB(2 * paramBytes)} MiB more)`,
  );
  console.log(
    `at the step's start: neurad live ${MiB(n0.liveBytes)} MiB + pooled ${
      MiB(n0.pooledBytes)
    } MiB; TF.js in use ${MiB(t0.used)} MiB (storage ${MiB(t0.storage)}), allocated ${
      MiB(t0.allocated)
    } MiB`,
  );
  console.log(
    `after it: neurad live ${MiB(n1.liveBytes)} + pooled ${MiB(n1.pooledBytes)} MiB; TF.js ` +
      `numBytesInGPU ${MiB(t1.numBytesInGPU)}, numBytesAllocatedInGPU ${
        MiB((t1 as unknown as { numBytesAllocatedInGPU: number }).numBytesAllocatedInGPU)
      } MiB`,
  );
  console.log(
    `| model | batch | neurad live peak | neurad held peak (live + pool) | TF.js in-use peak ` +
      `(storage only) | TF.js allocated peak | live / in use | held / allocated |`,
  );
  console.log(
    `| ${PRESET}${MODEL === "vqgan" ? ` ×${VQGAN_WIDTH}` : ""} | ${B} | ${
      MiB(n1.peakLiveBytes)
    } MiB | ${MiB(n1.peakHeldBytes)} MiB | ${MiB(tfMem.peakUsed)} MiB (${
      MiB(tfMem.peakStorageUsed)
    }) | ${MiB(tfMem.peakAllocated)} MiB | ${(n1.peakLiveBytes / tfMem.peakUsed).toFixed(2)} | ${
      (n1.peakHeldBytes / tfMem.peakAllocated).toFixed(2)
    } |`,
  );
}

let step = 0;
async function neuradStep(): Promise<number> {
  const t0 = performance.now();
  const terms = trainStep(mods, config.train, xn, step++, 0);
  const loss = (await terms.loss.toArray())[0];
  const dt = performance.now() - t0;
  for (const t of Object.values(terms)) t.dispose();
  if (!Number.isFinite(loss)) throw new Error(`neurad loss ${loss}`);
  return dt;
}

async function tfjsStep(): Promise<number> {
  const t0 = performance.now();
  const loss = tfStep(xt);
  const v = (await loss.data())[0];
  const dt = performance.now() - t0;
  loss.dispose();
  if (!Number.isFinite(v)) throw new Error(`TF.js loss ${v}`);
  return dt;
}

if (import.meta.main && MEMORY) {
  await measureMemory();
  Deno.exit(0);
}

if (import.meta.main) {
  for (let i = 0; i < WARMUP; i++) {
    console.log(
      `warm-up ${i + 1}: neurad ${(await neuradStep()).toFixed(0)} ms, TF.js ${
        (await tfjsStep()).toFixed(0)
      } ms`,
    );
  }
  const tensorsBefore = tf.memory().numTensors;
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < ITERS; i++) {
    a.push(await neuradStep());
    b.push(await tfjsStep());
  }
  const [mn, mt] = [median(a), median(b)];
  console.log(`neurad ms/step: ${a.map((v) => v.toFixed(0)).join(" ")}`);
  console.log(`TF.js  ms/step: ${b.map((v) => v.toFixed(0)).join(" ")}`);
  console.log(
    `median of ${ITERS}: neurad ${mn.toFixed(0)} ms, TF.js ${mt.toFixed(0)} ms, ` +
      `TF.js/neurad ${(mt / mn).toFixed(2)}; load ${loadavg()}; ` +
      `TF.js live tensors ${tensorsBefore} → ${tf.memory().numTensors}`,
  );
} else {
  // `deno bench -A bench/peers/`: one Deno.bench per engine.
  for (const [name, fn] of [["neurad", neuradStep], ["tfjs-webgpu", tfjsStep]] as const) {
    Deno.bench({
      group: `${PRESET} train step (batch ${B})`,
      name,
      baseline: name === "neurad",
      n: 5,
      warmup: WARMUP,
      async fn(b) {
        b.start();
        await fn();
        b.end();
      },
    });
  }
}
