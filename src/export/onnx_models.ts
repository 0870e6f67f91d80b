/**
 * The reconstruction path of each study model as an ONNX graph: what `reconstruct(x)` computes
 * in eval mode, which is what `neurad detect` scores. Each function mirrors its model's
 * forward() (the files named below), layer by layer through OnnxGraph (onnx_graph.ts):
 *  - reddipalli22-vae (Reddipalli 2022; models/reddipalli22/vae.ts): encoder, μ head, decoder;
 *    z = μ (corrected mode's reconstruction; faithful mode samples z at test time, which a
 *    deterministic graph cannot: its export decodes μ and says so);
 *  - reddipalli22-vqvae and reddipalli22-vqgan (vqvae.ts, vqgan.ts, models/blocks/), and
 *    chandru25-vqgan (Chandru 2025; models/chandru25/vqgan.ts): encoder, nearest code, decoder.
 *    The nearest code is the engine's: squared distances ‖z‖² − 2 z·e + ‖e‖² (MatMul against the
 *    transposed codebook), ArgMin over the codes (ties to the lower index, as the kernel), Gather
 *    of the code rows; the code indices are a second output. chandru25-vqgan faithful moves its
 *    codebook on every eval forward (the study's EMA): the graph holds the checkpoint's codebook,
 *    i.e. the first reconstruction after loading.
 * chandru25-dcgan has no image-to-reconstruction map (its "reconstruction" is G(z) of a random
 * z) and is refused, as is any other model.
 * @module
 */

import { UserError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import type { Module } from "../nn/module.ts";
import type { Autoencoder } from "../models/types.ts";
import { Reddipalli22Vae } from "../models/reddipalli22/vae.ts";
import { Reddipalli22Vqvae } from "../models/reddipalli22/vqvae.ts";
import { Reddipalli22Vqgan } from "../models/reddipalli22/vqgan.ts";
import { Chandru25Vqgan } from "../models/chandru25/vqgan.ts";
import { ResidualBlock } from "../models/chandru25/blocks.ts";
import { ResnetBlock } from "../models/blocks/resnet_block.ts";
import { Downsample } from "../models/blocks/downsample.ts";
import { Upsample } from "../models/blocks/upsample.ts";
import { AttnBlock } from "../nn/attn_block.ts";
import { int, ints, type OnnxGraph, str } from "./onnx_graph.ts";

/** A model's reconstruction graph: its outputs by name, and what the export leaves out. */
export interface ReconstructionGraph {
  /** The image input's dims: "N" free; "H", "W" free for fully convolutional models. */
  inputDims: (number | string)[];
  /** "reconstruction" (float, the input's shape) and, for VQ models, "codes" (int64 N×h×w). */
  outputs: { name: string; value: string; dims: (number | string)[]; int64?: boolean }[];
  notes: string[];
}

/** The models that export, by registry name. */
export const ONNX_MODELS = [
  "chandru25-vqgan",
  "reddipalli22-vae",
  "reddipalli22-vqgan",
  "reddipalli22-vqvae",
];

/** Emits `model`'s reconstruction of graph input `x` ([N, C, H, W]) into g. */
export function reconstructionGraph(
  g: OnnxGraph,
  model: Autoencoder,
  name: string,
  x: string,
): ReconstructionGraph {
  const [, H, W] = model.inputShape;
  g.blocks = (m, h, hint) => block(g, m, h, hint);
  if (model instanceof Reddipalli22Vae) return vae(g, model, x, H, W);
  if (model instanceof Reddipalli22Vqvae) {
    const z = g.layer(model.pre_vq_conv, vqvaeEncoder(g, model, x), "pre_vq_conv");
    const q = quantize(g, model.vq_vae.weight, z, "vq_vae");
    return vqOutputs(vqvaeDecoder(g, model, q.zq), q.codes, H, W, model);
  }
  if (model instanceof Reddipalli22Vqgan) {
    const z = g.layer(model.quant_conv, g.layer(model.encoder.model, x, "encoder"), "quant_conv");
    const q = quantize(g, model.codebook.weight, z, "codebook");
    const y = g.layer(
      model.decoder.model,
      g.layer(model.post_quant_conv, q.zq, "post_quant_conv"),
      "decoder",
    );
    return vqOutputs(y, q.codes, H, W, model);
  }
  if (model instanceof Chandru25Vqgan) {
    const z = g.layer(model.encoder.encoder, x, "encoder");
    const q = quantize(g, model.quantizer.weight, z, "quantizer");
    const y = g.layer(model.decoder.decoder, q.zq, "decoder");
    // Fully convolutional (trained at 64×64, the study tests at 128×128): any H, W divisible by 4.
    const out = vqOutputs(y, q.codes, "H", "W", model);
    if (model.mode === "faithful") {
      out.notes.push(
        "faithful mode moves the codebook on every forward (the study's EMA, eval included); " +
          "the graph holds the checkpoint's codebook: neurad's first reconstruction after loading",
      );
    }
    return out;
  }
  throw new UserError(
    name === "chandru25-dcgan"
      ? "ONNX export: chandru25-dcgan reconstructs nothing from the image (its output is G(z) " +
        "of a random z), so it has no reconstruction graph to export"
      : `ONNX export: no ONNX graph for model '${name}' (exported: ${ONNX_MODELS.join(", ")})`,
  );
}

function vqOutputs(
  y: string,
  codes: string,
  H: number | string,
  W: number | string,
  model: Autoencoder,
): ReconstructionGraph {
  const C = model.inputShape[0];
  return {
    inputDims: ["N", C, H, W],
    outputs: [
      { name: "reconstruction", value: y, dims: ["N", C, H, W] },
      { name: "codes", value: codes, dims: ["N", "h", "w"], int64: true },
    ],
    notes: [],
  };
}

/** The blocks the study models define beyond plain layers (inside their Sequentials). */
function block(g: OnnxGraph, m: Module, x: string, hint: string): string | null {
  if (m instanceof ResidualBlock) {
    return g.node("Add", [x, g.layer(m.block, x, `${hint}.block`)], {}, hint);
  }
  if (m instanceof ResnetBlock) {
    let h = g.silu(g.layer(m.norm1, x, `${hint}.norm1`));
    h = g.layer(m.conv1, h, `${hint}.conv1`);
    h = g.silu(g.layer(m.norm2, h, `${hint}.norm2`));
    h = g.layer(m.conv2, h, `${hint}.conv2`);
    const skip = m.nin_shortcut ? g.layer(m.nin_shortcut, x, `${hint}.nin_shortcut`) : x;
    return g.node("Add", [skip, h], {}, hint);
  }
  if (m instanceof AttnBlock) return attention(g, m, x, hint);
  if (m instanceof Downsample) {
    // Zero padding right and bottom by 1 (pads: begins of N, C, H, W then their ends).
    const padded = g.node("Pad", [x, g.constI64(`${hint}.pads`, [0, 0, 0, 0, 0, 0, 1, 1])]);
    return g.layer(m.conv, padded, `${hint}.conv`);
  }
  if (m instanceof Upsample) {
    // Nearest ×2 as torch computes it: source index floor(dst / 2).
    const up = g.node("Resize", [x, "", g.constF32(`${hint}.scales`, SCALE2, [4])], {
      mode: str("nearest"),
      coordinate_transformation_mode: str("asymmetric"),
      nearest_mode: str("floor"),
    });
    return g.layer(m.conv, up, `${hint}.conv`);
  }
  if (m.constructor.name === "ResizeTo") {
    const size = (m as unknown as { size: [number, number] }).size;
    const nc = g.node("Slice", [
      g.node("Shape", [x]),
      g.constI64(`${hint}.from`, [0]),
      g.constI64(`${hint}.to`, [2]),
    ]);
    const sizes = g.node("Concat", [nc, g.constI64(`${hint}.size`, size)], { axis: int(0) });
    // torch bilinear, align_corners=False, no antialiasing.
    return g.node("Resize", [x, "", "", sizes], {
      mode: str("linear"),
      coordinate_transformation_mode: str("pytorch_half_pixel"),
    }, hint);
  }
  return null;
}

const SCALE2 = new Float32Array([1, 1, 2, 2]);

/** taming's AttnBlock: x + proj_out(v · softmax(qᵀk / √C)ᵀ) (proj_out as the block says). */
function attention(g: OnnxGraph, m: AttnBlock, x: string, hint: string): string {
  const C = m.channels;
  const h = g.layer(m.norm, x, `${hint}.norm`);
  const flat = g.constI64(`${hint}.flat`, [0, C, -1]);
  const q = g.node("Reshape", [g.layer(m.q, h, `${hint}.q`), flat]);
  const k = g.node("Reshape", [g.layer(m.k, h, `${hint}.k`), flat]);
  const v = g.node("Reshape", [g.layer(m.v, h, `${hint}.v`), flat]);
  const qt = g.node("Transpose", [q], { perm: ints([0, 2, 1]) });
  const scores = g.node("Mul", [
    g.node("MatMul", [qt, k]),
    g.constF32(`${hint}.scale`, new Float32Array([1 / Math.sqrt(C)]), []),
  ]);
  const w = g.node("Softmax", [scores], { axis: int(2) });
  const out = g.node("MatMul", [v, g.node("Transpose", [w], { perm: ints([0, 2, 1]) })]);
  let y = g.node("Reshape", [out, g.node("Shape", [x])]);
  if (m.projOut === "applied") y = g.layer(m.proj_out!, y, `${hint}.proj_out`);
  return g.node("Add", [x, y], {}, hint);
}

/** Nearest code of each latent position: z [N, D, h, w] → z_q (same shape) and codes [N, h, w]. */
function quantize(
  g: OnnxGraph,
  codebook: Tensor,
  z: string,
  hint: string,
): { zq: string; codes: string } {
  const [K, D] = codebook.shape;
  const e = g.hostOf(codebook);
  // Eᵀ [D, K] and ‖e‖² [1, K], the squares summed in increasing d in float32 as the kernel does.
  const et = new Float32Array(D * K), norms = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let d = 0; d < D; d++) {
      const v = e[k * D + d];
      et[d * K + k] = v;
      s = Math.fround(s + Math.fround(v * v));
    }
    norms[k] = s;
  }
  const zt = g.node("Transpose", [z], { perm: ints([0, 2, 3, 1]) }, `${hint}.nhwc`);
  const rows = g.node("Reshape", [zt, g.constI64(`${hint}.rows`, [-1, D])]);
  const zz = g.node("ReduceSumSquare", [rows], { axes: ints([1]), keepdims: int(1) });
  const dot = g.node("MatMul", [rows, g.constF32(`${hint}.codebook_t`, et, [D, K])]);
  const minus2 = g.constF32(`${hint}.minus2`, new Float32Array([-2]), []);
  const dist = g.node(
    "Add",
    [
      g.node("Add", [zz, g.node("Mul", [dot, minus2])]),
      g.constF32(`${hint}.code_norms`, norms, [1, K]),
    ],
    {},
    `${hint}.distances`,
  );
  const idx = g.node("ArgMin", [dist], { axis: int(1), keepdims: int(0) }, `${hint}.indices`);
  const picked = g.node("Gather", [g.weight(codebook, `${hint}.codebook`), idx], {
    axis: int(0),
  });
  const nhwc = g.node("Shape", [zt]);
  const zq = g.node("Transpose", [g.node("Reshape", [picked, nhwc])], {
    perm: ints([0, 3, 1, 2]),
  }, `${hint}.zq`);
  const nhw = g.node("Slice", [
    nhwc,
    g.constI64(`${hint}.from`, [0]),
    g.constI64(`${hint}.to`, [3]),
  ]);
  const codes = g.node("Reshape", [idx, nhw], {}, `${hint}.codes`);
  return { zq, codes };
}

function vae(g: OnnxGraph, m: Reddipalli22Vae, x: string, H: number, W: number) {
  const h = g.layer(m.encoderUnified.Enc, x, "encoderUnified.Enc");
  let mu = g.layer(m.conv_enc_btn1_mu, h, "conv_enc_btn1_mu");
  mu = g.leakyRelu(g.layer(m.BN_enc_btn1_mu, mu, "BN_enc_btn1_mu"), 0.01);
  mu = g.node("Flatten", [mu], { axis: int(1) });
  mu = g.layer(m.fc_enc_btn_mu, mu, "fc_enc_btn_mu");
  const flat = g.layer(m.fc_dec_btn, mu, "fc_dec_btn"); // dropout: identity in eval
  const [gh, gw] = [12, 10];
  let d = g.node("Reshape", [flat, g.constI64("bottleneck", [-1, m.bottleneck, gh, gw])]);
  d = g.leakyRelu(g.layer(m.BN_dec_btn0, d, "BN_dec_btn0"), 0.01);
  d = g.layer(m.conv_dec_btn1, d, "conv_dec_btn1");
  d = g.leakyRelu(g.layer(m.BN_dec_btn1, d, "BN_dec_btn1"), 0.01);
  d = g.layer(m.decoderUnified.Dec, d, "decoderUnified.Dec");
  const y = g.layer(m.conv_dec_final, d, "conv_dec_final");
  const notes = m.mode === "faithful"
    ? [
      "faithful mode samples z at test time (the study did); the graph decodes z = μ " +
      "(deterministic), as corrected mode does",
    ]
    : [];
  return {
    inputDims: ["N", 1, H, W],
    outputs: [{ name: "reconstruction", value: y, dims: ["N", 1, H, W] }],
    notes,
  };
}

type VqvaeParts = Reddipalli22Vqvae["encoder"]["residual_stack"];

/** Residual stack: each block adds its branch (to relu(x) in faithful mode), then ReLU. */
function residualStack(g: OnnxGraph, s: VqvaeParts, x: string, hint: string): string {
  let h = x;
  s.layers.items.forEach((r, i) => {
    const base = r.inPlaceRelu ? g.node("Relu", [h]) : h;
    h = g.node("Add", [base, g.layer(r._block, h, `${hint}.layers.${i}._block`)]);
  });
  return g.node("Relu", [h], {}, hint);
}

function vqvaeEncoder(g: OnnxGraph, m: Reddipalli22Vqvae, x: string): string {
  const e = m.encoder;
  let h = g.conv(e.conv_1, x, "encoder.conv_1", "relu");
  h = g.conv(e.conv_2, h, "encoder.conv_2", "relu");
  h = g.conv(e.conv_3, h, "encoder.conv_3", "relu");
  return residualStack(g, e.residual_stack, g.layer(e.conv_4, h, "encoder.conv_4"), "encoder.rs");
}

function vqvaeDecoder(g: OnnxGraph, m: Reddipalli22Vqvae, z: string): string {
  const d = m.decoder;
  let h = residualStack(g, d.residual_stack, g.layer(d.conv_1, z, "decoder.conv_1"), "decoder.rs");
  h = g.node("Relu", [g.layer(d.conv_trans_1, h, "decoder.conv_trans_1")]);
  h = g.node("Relu", [g.layer(d.conv_trans_2, h, "decoder.conv_trans_2")]);
  return g.layer(d.conv_trans_3, h, "decoder.conv_trans_3");
}
