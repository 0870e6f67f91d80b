// Activation layers (torch.nn.ReLU, LeakyReLU, SiLU, Sigmoid, Tanh) over the elementwise ops.

import { leakyRelu, relu, sigmoid, silu, tanh } from "../kernels/unary.ts";
import type { Tensor } from "../core/tensor.ts";
import { Module } from "./module.ts";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
