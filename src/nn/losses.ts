// Loss functions (torch.nn.functional names), composed from differentiable ops so their
// gradients come from the ops' own rules: mseLoss, l1Loss, binaryCrossEntropyWithLogits, the
// GAN hinge / non-saturating terms of taming-transformers, and the KL of a diagonal Gaussian.

import type { Tensor } from "../core/tensor.ts";
import { tidy } from "../core/scope.ts";
import { add, bceWithLogitsElementwise, sub } from "../kernels/binary.ts";
import { mean, sum } from "../kernels/reduce.ts";
import { abs, addScalar, exp, mulScalar, neg, relu, softplus, square } from "../kernels/unary.ts";

export type Reduction = "mean" | "sum" | "none";

function reduce(x: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return x;
  if (reduction === "sum") return sum(x);
  if (reduction === "mean") return mean(x);
  throw new Error(`neurad: unknown reduction '${reduction}'`);
}

/** F.mse_loss(input, target, reduction = "mean"). */
export function mseLoss(input: Tensor, target: Tensor, o: { reduction?: Reduction } = {}): Tensor {
  return tidy(() => reduce(square(sub(input, target)), o.reduction ?? "mean"));
}

/** F.l1_loss(input, target, reduction = "mean"). */
export function l1Loss(input: Tensor, target: Tensor, o: { reduction?: Reduction } = {}): Tensor {
  return tidy(() => reduce(abs(sub(input, target)), o.reduction ?? "mean"));
}

/** F.binary_cross_entropy_with_logits(input, target, reduction = "mean"), numerically stable. */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  o: { reduction?: Reduction } = {},
): Tensor {
  return tidy(() => reduce(bceWithLogitsElementwise(input, target), o.reduction ?? "mean"));
}

/** Discriminator hinge loss (taming-transformers hinge_d_loss): ½(E[relu(1 − D(x))] + E[relu(1 + D(G(z)))]). */
export function hingeDiscriminatorLoss(logitsReal: Tensor, logitsFake: Tensor): Tensor {
  return tidy(() =>
    mulScalar(
      add(mean(relu(addScalar(neg(logitsReal), 1))), mean(relu(addScalar(logitsFake, 1)))),
      0.5,
    )
  );
}

/** Discriminator non-saturating loss (vanilla_d_loss): ½(E[softplus(−D(x))] + E[softplus(D(G(z)))]). */
export function vanillaDiscriminatorLoss(logitsReal: Tensor, logitsFake: Tensor): Tensor {
  return tidy(() =>
    mulScalar(add(mean(softplus(neg(logitsReal))), mean(softplus(logitsFake))), 0.5)
  );
}

/** Generator adversarial term of VQGAN: −E[D(G(z))]. */
export function generatorHingeLoss(logitsFake: Tensor): Tensor {
  return tidy(() => neg(mean(logitsFake)));
}

/**
 * KL(N(mu, exp(logvar)) ‖ N(0, I)) = ½ Σ (mu² + exp(logvar) − 1 − logvar).
 * reduction: "sum" (all elements), "batchmean" (sum / batch size, the usual VAE term),
 * "mean" (per element) or "none".
 */
export function klDivNormal(
  mu: Tensor,
  logvar: Tensor,
  o: { reduction?: Reduction | "batchmean" } = {},
): Tensor {
  return tidy(() => {
    const terms = mulScalar(sub(add(square(mu), exp(logvar)), addScalar(logvar, 1)), 0.5);
    const r = o.reduction ?? "batchmean";
    if (r === "batchmean") return mulScalar(sum(terms), 1 / mu.shape[0]);
    return reduce(terms, r);
  });
}
