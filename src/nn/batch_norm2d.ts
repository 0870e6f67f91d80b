// BatchNorm2d layer (torch.nn.BatchNorm2d): weight (ones) and bias (zeros) when affine, running
// statistics as buffers (running_mean zeros, running_var ones) updated in training mode and used
// in eval mode, and num_batches_tracked (an i32 scalar counted on the GPU in training) so that
// PyTorch state dicts load strictly. momentum = None (a cumulative average) is not supported.

import { fill_ } from "../kernels/fill.ts";
import { batchNorm } from "../kernels/batch_norm.ts";
import { incrementInt_ } from "../kernels/increment.ts";
import { Tensor } from "../core/tensor.ts";
import { buffer, Module, parameter } from "./module.ts";

export interface BatchNorm2dOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

export class BatchNorm2d extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly running_mean: Tensor | null;
  readonly running_var: Tensor | null;
  readonly num_batches_tracked: Tensor | null;

  constructor(readonly numFeatures: number, o: BatchNorm2dOptions = {}) {
    super();
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    const filled = (shape: number[], v: number, dtype: "f32" | "i32" = "f32") =>
      fill_(Tensor.empty(shape, dtype), v);
    const affine = this.affine, track = this.trackRunningStats;
    this.weight = affine ? parameter(filled([numFeatures], 1)) : null;
    this.bias = affine ? parameter(filled([numFeatures], 0)) : null;
    this.running_mean = track ? buffer(filled([numFeatures], 0)) : null;
    this.running_var = track ? buffer(filled([numFeatures], 1)) : null;
    this.num_batches_tracked = track ? buffer(filled([], 0, "i32")) : null;
  }

  forward(x: Tensor): Tensor {
    const track = this.trackRunningStats;
    if (this.training && this.num_batches_tracked) incrementInt_(this.num_batches_tracked);
    // Without running statistics PyTorch normalises with batch statistics in eval mode too.
    return batchNorm(
      x,
      this.running_mean,
      this.running_var,
      this.weight,
      this.bias,
      this.training || !track,
      this.momentum,
      this.eps,
    );
  }
}
