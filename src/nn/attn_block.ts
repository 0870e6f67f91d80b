// AttnBlock (taming-transformers' non-local block): h = GroupNorm(x); q, k, v = 1×1 convs of h;
// attention weights softmax(qᵀk / √C) over the key positions; out = v·attnᵀ; returns
// x + proj_out(out). `projOut: "unapplied"` registers proj_out but adds `out` directly (the
// first study's code: its weights exist and are counted, never used); "none" has no proj_out.
// Keys: norm, q, k, v, proj_out.
// The transposed operands (qᵀ, attnᵀ) are read through strides, never copied.

import { add } from "../kernels/binary.ts";
import { matmulTransposed } from "../kernels/matmul.ts";
import { reshape } from "../kernels/movement.ts";
import { softmax } from "../kernels/softmax.ts";
import { mulScalar } from "../kernels/unary.ts";
import { tidy } from "../core/scope.ts";
import type { Tensor } from "../core/tensor.ts";
import { Conv2d } from "./conv2d.ts";
import { GroupNorm } from "./group_norm.ts";
import { Module } from "./module.ts";

export type ProjOut = "applied" | "unapplied" | "none";

export class AttnBlock extends Module {
  readonly norm: GroupNorm;
  readonly q: Conv2d;
  readonly k: Conv2d;
  readonly v: Conv2d;
  readonly proj_out: Conv2d | null;

  constructor(
    readonly channels: number,
    readonly projOut: ProjOut = "applied",
    readonly groups = 32,
  ) {
    super();
    this.norm = new GroupNorm(groups, channels, { eps: 1e-6 });
    this.q = new Conv2d(channels, channels, 1);
    this.k = new Conv2d(channels, channels, 1);
    this.v = new Conv2d(channels, channels, 1);
    this.proj_out = projOut === "none" ? null : new Conv2d(channels, channels, 1);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const [b, c, hh, ww] = x.shape;
      const n = hh * ww;
      const h = this.norm.forward(x);
      const q = reshape(this.q.forward(h), [b, c, n]);
      const k = reshape(this.k.forward(h), [b, c, n]);
      const v = reshape(this.v.forward(h), [b, c, n]);
      // qᵀk / √c, softmax over the keys: [b, n (query), n (key)].
      const w = softmax(
        mulScalar(matmulTransposed(q, k, { transposeA: true }), 1 / Math.sqrt(c)),
        2,
      );
      const out = reshape(matmulTransposed(v, w, { transposeB: true }), [b, c, hh, ww]);
      const y = this.projOut === "applied" ? this.proj_out!.forward(out) : out;
      return add(x, y);
    });
  }
}
