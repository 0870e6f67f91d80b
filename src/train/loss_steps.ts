// One optimisation step per model family, as each study trained it (docs/models.md, docs/train.md):
//   vae    (L1 summed per sample + β·KL) / (1 + β), both batch means.
//   vqvae  mse(x̂, x) + w·VQ loss.
//   vqgan  taming's VQLPIPSWithDiscriminator: mean|x − x̂| (+ LPIPS) + λ·f·(−mean D(x̂)) + VQ
//          loss, λ = clamp(‖∇_W rec‖ / (‖∇_W g‖ + 1e-4), 0, 1e4)·discWeight at the decoder's
//          last layer W (through grad(), no readback), f = 0 before discStart; then the
//          discriminator's hinge (or BCE) step.
//   chandru (second study) discriminator step first, ½[BCE(D(x), 1) + BCE(D(x̂), 0)], then the
//          generator: L1 + w_adv·BCE(D(x̂), 1) + 0.05·mse(φ(x̂), φ(x)), w_adv = min(0.1 +
//          0.0005·epoch, 0.5); the VQ loss only in corrected mode (the study discarded it).
//   dcgan  the same GAN steps with G(z) as the "reconstruction" and no pixel terms.
// Every step returns its loss terms as detached GPU scalars (read back by the caller once per
// logging interval, never here).

import { grad } from "../core/backward.ts";
import { noGrad } from "../core/autograd.ts";
import { addScalar, clamp, mulScalar, sqrt, square } from "../kernels/unary.ts";
import { add, div, mul } from "../kernels/binary.ts";
import { mean, sum } from "../kernels/reduce.ts";
import { tidy } from "../core/scope.ts";
import {
  binaryCrossEntropyWithLogits,
  generatorHingeLoss,
  hingeDiscriminatorLoss,
  klDivNormal,
  l1Loss,
  mseLoss,
  vanillaDiscriminatorLoss,
} from "../nn/losses.ts";
import { onesLike } from "../kernels/fill.ts";
import { clipGradNorm_ } from "../optim/clip_grad.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import type { Module } from "../nn/module.ts";
import type { Autoencoder, Discriminator } from "../models/types.ts";
import type { Tensor } from "../core/tensor.ts";
import type { TrainConfig } from "./run_config.ts";

/** A network mapping images to features (the random perceptual net, LPIPS as a distance). */
export interface FeatureNet extends Module {
  forward(x: Tensor): Tensor;
}

export interface StepModels {
  model: Autoencoder;
  disc?: Discriminator;
  perceptual?: FeatureNet;
  opt: Optimizer;
  discOpt?: Optimizer;
}

/** Loss terms of one step: detached scalar tensors, owned by the caller. */
export type Terms = Record<string, Tensor>;

function updateG(m: StepModels, t: TrainConfig, loss: Tensor) {
  m.opt.zeroGrad();
  loss.backward();
  if (t.clipGradNorm > 0) clipGradNorm_(m.opt.params, t.clipGradNorm).dispose();
  m.opt.step();
}

function updateD(m: StepModels, loss: Tensor) {
  m.discOpt!.zeroGrad();
  loss.backward();
  m.discOpt!.step();
}

function detachAll(o: Record<string, Tensor | undefined>): Terms {
  const out: Terms = {};
  for (const [k, v] of Object.entries(o)) if (v) out[k] = v.detach();
  return out;
}

function vqStats(out: { perplexity?: Tensor; usage?: Tensor }): Record<string, Tensor | undefined> {
  return {
    perplexity: out.perplexity,
    // Fraction of codes used in the batch: usage is a fraction ≥ 1/(N·h·w) or 0, so ×1e30
    // clamped to [0, 1] is the indicator "used".
    codebookUsage: out.usage
      ? noGrad(() => mean(clamp(mulScalar(out.usage!, 1e30), 0, 1)))
      : undefined,
  };
}

export function vaeStep(m: StepModels, t: TrainConfig, x: Tensor): Terms {
  return tidy(() => {
    const out = m.model.forward(x);
    if (!out.mu || !out.logvar) {
      throw new Error("neurad: a VAE's forward must return mu and logvar");
    }
    const l1 = mulScalar(l1Loss(out.recon, x, { reduction: "sum" }), 1 / x.shape[0]);
    const kl = klDivNormal(out.mu, out.logvar, { reduction: "batchmean" });
    const loss = mulScalar(add(l1, mulScalar(kl, t.klWeight)), 1 / (1 + t.klWeight));
    updateG(m, t, loss);
    return detachAll({ loss, l1, kl });
  });
}

export function vqvaeStep(m: StepModels, t: TrainConfig, x: Tensor): Terms {
  return tidy(() => {
    const out = m.model.forward(x);
    const mse = mseLoss(out.recon, x);
    const vq = out.vqLoss;
    const loss = vq ? add(mse, mulScalar(vq, t.vqWeight)) : mse;
    updateG(m, t, loss);
    return detachAll({
      loss,
      mse,
      vq,
      codebook: out.codebookLoss,
      commitment: out.commitmentLoss,
      ...vqStats(out),
    });
  });
}

/** ‖g‖₂ of one tensor, as a GPU scalar. */
function norm(g: Tensor): Tensor {
  return sqrt(sum(square(g)));
}

export function vqganStep(
  m: StepModels,
  t: TrainConfig,
  x: Tensor,
  step: number,
  lpips?: (a: Tensor, b: Tensor) => Tensor,
): Terms {
  return tidy(() => {
    const out = m.model.forward(x);
    const xr = out.recon;
    let nll = l1Loss(xr, x);
    let perceptual: Tensor | undefined;
    if (lpips) {
      perceptual = mean(lpips(x, xr));
      nll = add(nll, mulScalar(perceptual, t.perceptualWeight));
    }
    const vq = out.vqLoss ? mulScalar(out.vqLoss, t.vqWeight) : undefined;
    const discOn = !!m.disc && step >= t.discStart;
    let gLoss: Tensor | undefined, lambda: Tensor | undefined;
    let loss = vq ? add(nll, vq) : nll;
    if (discOn) {
      const logitsFake = m.disc!.forward(xr);
      gLoss = t.ganLoss === "hinge"
        ? generatorHingeLoss(logitsFake)
        : binaryCrossEntropyWithLogits(logitsFake, onesLike(logitsFake));
      const w = m.model.lastLayerWeight();
      const [gRec] = grad(nll, w, { retainGraph: true });
      const [gGan] = grad(gLoss, w, { retainGraph: true });
      lambda = noGrad(() =>
        mulScalar(clamp(div(norm(gRec), addScalar(norm(gGan), 1e-4)), 0, 1e4), t.discWeight)
      );
      loss = add(loss, mul(gLoss, lambda)); // λ is detached: no graph through it
    }
    updateG(m, t, loss);
    let dLoss: Tensor | undefined;
    if (discOn) {
      const real = m.disc!.forward(x);
      const fake = m.disc!.forward(xr.detach());
      dLoss = t.ganLoss === "hinge"
        ? hingeDiscriminatorLoss(real, fake)
        : vanillaDiscriminatorLoss(real, fake);
      updateD(m, dLoss);
    }
    return detachAll({
      loss,
      l1: l1Loss(xr.detach(), x),
      perceptual,
      vq,
      gan: gLoss,
      lambda,
      disc: dLoss,
      ...vqStats(out),
    });
  });
}

/** The second study's adversarial weight at `epoch` (counted from 0). */
export function advWeight(t: TrainConfig, epoch: number): number {
  const r = t.advRamp;
  return r ? Math.min(r.start + r.perEpoch * epoch, r.max) : 1;
}

/** Second study: discriminator step, then generator step (VQGAN or DCGAN). */
export function chandruStep(m: StepModels, t: TrainConfig, x: Tensor, epoch: number): Terms {
  return tidy(() => {
    const out = m.model.forward(x);
    const xr = out.recon;
    // Discriminator first, on x and the detached reconstruction.
    const real = m.disc!.forward(x);
    const fake = m.disc!.forward(xr.detach());
    const dLoss = vanillaDiscriminatorLoss(real, fake); // ½[BCE(D(x),1) + BCE(D(x̂),0)]
    updateD(m, dLoss);
    // Generator.
    const logits = m.disc!.forward(xr);
    const adv = binaryCrossEntropyWithLogits(logits, onesLike(logits));
    const wAdv = advWeight(t, epoch);
    const isGan = m.model.family === "dcgan";
    let l1: Tensor | undefined, perc: Tensor | undefined, vq: Tensor | undefined;
    let loss = mulScalar(adv, isGan ? 1 : wAdv);
    if (!isGan) {
      l1 = l1Loss(xr, x);
      loss = add(loss, l1);
      if (m.perceptual && t.randomPerceptualWeight > 0) {
        const fx = noGrad(() => m.perceptual!.forward(x));
        perc = mseLoss(m.perceptual.forward(xr), fx);
        loss = add(loss, mulScalar(perc, t.randomPerceptualWeight));
      }
      if (m.model.mode === "corrected" && out.vqLoss) {
        vq = mulScalar(out.vqLoss, t.vqWeight);
        loss = add(loss, vq);
      }
    }
    updateG(m, t, loss);
    return detachAll({ loss, l1, perceptual: perc, vq, gan: adv, disc: dLoss, ...vqStats(out) });
  });
}

/** The step for `model.family`. */
export function trainStep(
  m: StepModels,
  t: TrainConfig,
  x: Tensor,
  step: number,
  epoch: number,
  lpips?: (a: Tensor, b: Tensor) => Tensor,
): Terms {
  const fam = m.model.family;
  if (fam === "vae") return vaeStep(m, t, x);
  if (fam === "vqvae") return vqvaeStep(m, t, x);
  // The second study's scheme (D then G, BCE, ramp): its presets set an advRamp.
  if (fam === "dcgan" || (m.disc && t.advRamp)) return chandruStep(m, t, x, epoch);
  return vqganStep(m, t, x, step, lpips);
}

/** Validation loss of one batch (eval mode, no graph): the family's reconstruction term. */
export function validationLoss(model: Autoencoder, x: Tensor): Tensor {
  return noGrad(() =>
    tidy(() => {
      const r = model.reconstruct(x);
      return model.family === "vqvae" ? mseLoss(r, x) : l1Loss(r, x);
    })
  );
}
