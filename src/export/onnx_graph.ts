/**
 * Building an ONNX inference graph from neurad's layers: OnnxGraph names values and nodes,
 * holds the weights (read back from the GPU once, up front) as initializers, and emits one
 * layer module at a time with the ONNX ops of its eval-mode forward: Conv2d → Conv (+ Relu /
 * LeakyRelu when the layer's activation was fused), ConvTranspose2d → ConvTranspose,
 * BatchNorm2d → BatchNormalization with the running statistics, GroupNorm → Reshape to
 * [N, G, −1], InstanceNormalization, Reshape back, per-channel Mul and Add (opset 17 has no
 * GroupNormalization), Linear → Gemm (transB), the activations, Dropout → nothing (eval), and
 * Sequential → its layers in order. A model's own blocks come from the `blocks` hook and its
 * wiring from onnx_models.ts.
 * @module
 */

import { Tensor } from "../core/tensor.ts";
import { UserError } from "../core/errors.ts";
import type { Module } from "../nn/module.ts";
import { Conv2d } from "../nn/conv2d.ts";
import { ConvTranspose2d } from "../nn/conv_transpose2d.ts";
import { BatchNorm2d } from "../nn/batch_norm2d.ts";
import { GroupNorm } from "../nn/group_norm.ts";
import { Linear } from "../nn/linear.ts";
import { LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from "../nn/activations.ts";
import { Dropout } from "../nn/dropout.ts";
import { Sequential } from "../nn/sequential.ts";
import type { OnnxAttr, OnnxNode, OnnxTensor } from "./onnx_proto.ts";

export const int = (v: number): OnnxAttr => ({ int: v });
export const float = (v: number): OnnxAttr => ({ float: v });
export const ints = (v: readonly number[]): OnnxAttr => ({ ints: v });
export const str = (v: string): OnnxAttr => ({ string: v });

/** A model's own block (a residual, an attention block): its output, or null if not one. */
export type BlockEmitter = (m: Module, x: string, hint: string) => string | null;

export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** Host copies of the model's tensors, by tensor. */
  readonly #host: Map<Tensor, Float32Array>;
  /** Initializer names already made for a tensor (a weight used twice is stored once). */
  readonly #named = new Map<Tensor, string>();
  #count = 0;
  /** Consulted before the plain layers, also for each layer of a Sequential. */
  blocks: BlockEmitter = () => null;

  private constructor(host: Map<Tensor, Float32Array>) {
    this.#host = host;
  }

  /** A graph over `model`'s weights: every tensor of its state dict is read back once. */
  static async of(model: Module): Promise<OnnxGraph> {
    const entries = [...model.stateDict()].filter(([, t]) => t.dtype === "f32");
    const data = await Tensor.toArrays(entries.map(([, t]) => t));
    return new OnnxGraph(new Map(entries.map(([, t], i) => [t, data[i] as Float32Array])));
  }

  #fresh(hint: string): string {
    return `${hint.replace(/[^\w.]/g, "_")}_${this.#count++}`;
  }

  /** The host copy of a model tensor. */
  hostOf(t: Tensor): Float32Array {
    const data = this.#host.get(t);
    if (!data) throw new Error(`neurad: ONNX export: ${t} is not a tensor of the model`);
    return data;
  }

  /** The initializer holding tensor `t` (a model weight), reshaped to `dims` if given. */
  weight(t: Tensor, hint: string, dims: readonly number[] = t.shape): string {
    const known = this.#named.get(t);
    if (known && dims.join() === t.shape.join()) return known;
    const data = this.#host.get(t);
    if (!data) throw new Error(`neurad: ONNX export: ${hint} is not a weight of the model`);
    const name = this.#fresh(hint);
    this.initializers.push({ name, dims: [...dims], f32: data });
    if (dims.join() === t.shape.join()) this.#named.set(t, name);
    return name;
  }

  /** A float32 constant. */
  constF32(hint: string, data: Float32Array, dims: readonly number[]): string {
    const name = this.#fresh(hint);
    this.initializers.push({ name, dims: [...dims], f32: data });
    return name;
  }

  /** An int64 constant (shapes, axes). */
  constI64(hint: string, values: readonly number[]): string {
    const name = this.#fresh(hint);
    this.initializers.push({ name, dims: [values.length], i64: values });
    return name;
  }

  /** Adds a node; returns its (first) output's name. */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Record<string, OnnxAttr> = {},
    hint = op,
  ): string {
    const out = this.#fresh(hint);
    this.nodes.push({ op, inputs, outputs: [out], name: `${out}_node`, attrs });
    return out;
  }

  /** Emits one layer's eval-mode forward on x. */
  layer(m: Module, x: string, hint: string): string {
    const own = this.blocks(m, x, hint);
    if (own !== null) return own;
    if (m instanceof Conv2d) return this.conv(m, x, hint);
    if (m instanceof ConvTranspose2d) return this.convTranspose(m, x, hint);
    if (m instanceof BatchNorm2d) return this.batchNorm(m, x, hint);
    if (m instanceof GroupNorm) return this.groupNorm(m, x, hint);
    if (m instanceof Linear) return this.linear(m, x, hint);
    if (m instanceof ReLU) return this.node("Relu", [x], {}, hint);
    if (m instanceof LeakyReLU) return this.leakyRelu(x, m.negativeSlope, hint);
    if (m instanceof SiLU) return this.silu(x, hint);
    if (m instanceof Sigmoid) return this.node("Sigmoid", [x], {}, hint);
    if (m instanceof Tanh) return this.node("Tanh", [x], {}, hint);
    if (m instanceof Dropout) return x; // identity in eval mode
    if (m instanceof Sequential) {
      return m.layers.reduce((h, l, i) => this.layer(l, h, `${hint}.${i}`), x);
    }
    throw new UserError(
      `ONNX export: no ONNX form for layer ${hint} (${m.constructor.name})`,
    );
  }

  /** Conv2d, with the activation its forward() was given fused. */
  conv(m: Conv2d, x: string, hint: string, activation: "none" | "relu" = "none"): string {
    const k = m.kernelSize, s = m.stride, p = m.padding;
    const inputs = [x, this.weight(m.weight, `${hint}.weight`)];
    if (m.bias) inputs.push(this.weight(m.bias, `${hint}.bias`));
    const y = this.node("Conv", inputs, {
      kernel_shape: ints([k, k]),
      strides: ints([s, s]),
      pads: ints([p, p, p, p]),
    }, hint);
    return activation === "relu" ? this.node("Relu", [y], {}, `${hint}.relu`) : y;
  }

  convTranspose(m: ConvTranspose2d, x: string, hint: string): string {
    const k = m.kernelSize, s = m.stride, p = m.padding, op = m.outputPadding;
    const inputs = [x, this.weight(m.weight, `${hint}.weight`)];
    if (m.bias) inputs.push(this.weight(m.bias, `${hint}.bias`));
    return this.node("ConvTranspose", inputs, {
      kernel_shape: ints([k, k]),
      strides: ints([s, s]),
      pads: ints([p, p, p, p]),
      output_padding: ints([op, op]),
    }, hint);
  }

  batchNorm(m: BatchNorm2d, x: string, hint: string): string {
    if (!m.running_mean || !m.running_var) {
      throw new UserError(
        `ONNX export: ${hint} normalises with batch statistics in eval mode (no running ` +
          "statistics), which ONNX inference cannot express",
      );
    }
    const C = m.numFeatures;
    const scale = m.weight
      ? this.weight(m.weight, `${hint}.weight`)
      : this.constF32(`${hint}.ones`, new Float32Array(C).fill(1), [C]);
    const bias = m.bias
      ? this.weight(m.bias, `${hint}.bias`)
      : this.constF32(`${hint}.zeros`, new Float32Array(C), [C]);
    return this.node(
      "BatchNormalization",
      [
        x,
        scale,
        bias,
        this.weight(m.running_mean, `${hint}.running_mean`),
        this.weight(m.running_var, `${hint}.running_var`),
      ],
      { epsilon: float(m.eps) },
      hint,
    );
  }

  groupNorm(m: GroupNorm, x: string, hint: string): string {
    const G = m.numGroups, C = m.numChannels;
    const grouped = this.node("Reshape", [x, this.constI64(`${hint}.groups`, [0, G, -1])]);
    const normed = this.node(
      "InstanceNormalization",
      [
        grouped,
        this.constF32(`${hint}.ones`, new Float32Array(G).fill(1), [G]),
        this.constF32(`${hint}.zeros`, new Float32Array(G), [G]),
      ],
      { epsilon: float(m.eps) },
      hint,
    );
    let y = this.node("Reshape", [normed, this.node("Shape", [x])]);
    if (m.weight) y = this.node("Mul", [y, this.weight(m.weight, `${hint}.weight`, [C, 1, 1])]);
    if (m.bias) y = this.node("Add", [y, this.weight(m.bias, `${hint}.bias`, [C, 1, 1])]);
    return y;
  }

  linear(m: Linear, x: string, hint: string): string {
    const inputs = [x, this.weight(m.weight, `${hint}.weight`)];
    if (m.bias) inputs.push(this.weight(m.bias, `${hint}.bias`));
    return this.node("Gemm", inputs, { transB: int(1) }, hint);
  }

  leakyRelu(x: string, slope: number, hint = "leaky_relu"): string {
    return this.node("LeakyRelu", [x], { alpha: float(slope) }, hint);
  }

  silu(x: string, hint = "silu"): string {
    return this.node("Mul", [x, this.node("Sigmoid", [x], {}, `${hint}.sigmoid`)], {}, hint);
  }
}
