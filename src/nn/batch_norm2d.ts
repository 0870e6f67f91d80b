// BatchNorm2d layer (torch.nn.BatchNorm2d): weight (ones) and bias (zeros) when affine, running
// statistics as buffers (running_mean zeros, running_var ones) updated in training mode and used
// in eval mode, and num_batches_tracked (an i32 scalar counted on the GPU in training) so that
// PyTorch state dicts load strictly. momentum = None (a cumulative average) is not supported.

import { fill_ } from "../kernels/fill.ts";
import { batchNorm } from "../kernels/batch_norm.ts";
import { incrementInt_ } from "../kernels/increment.ts";
import { Tensor } from "../core/tensor.ts";
import { Module } from "./module.ts";

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

  constructor(readonly numFeatures: number, o: BatchNorm2dOptions = {}) {
    super();
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    if (this.affine) {
      this.registerParameter("weight", fill_(Tensor.empty([numFeatures]), 1));
      this.registerParameter("bias", fill_(Tensor.empty([numFeatures]), 0));
    }
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", fill_(Tensor.empty([numFeatures]), 0));
      this.registerBuffer("running_var", fill_(Tensor.empty([numFeatures]), 1));
      this.registerBuffer("num_batches_tracked", fill_(Tensor.empty([], "i32"), 0));
    }
  }

  forward(x: Tensor): Tensor {
    const track = this.trackRunningStats;
    if (this.training && track) incrementInt_(this.tensor("num_batches_tracked"));
    // Without running statistics PyTorch normalises with batch statistics in eval mode too.
    return batchNorm(
      x,
      track ? this.tensor("running_mean") : null,
      track ? this.tensor("running_var") : null,
      this.affine ? this.tensor("weight") : null,
      this.affine ? this.tensor("bias") : null,
      this.training || !track,
      this.momentum,
      this.eps,
    );
  }
}
