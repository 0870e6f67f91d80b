// Training curves from RUN/log.jsonl: every loss term against the step, one small chart per term
// with its own y scale, a subtitle saying what the term is and the y axis titled with its unit
// (the family's loss definitions, src/train/loss_steps.ts), and the validation loss per epoch when present; and the
// codebook usage of a VQ model's test latents (the share of latents each code takes).

import { renderSvg } from "./render.ts";

/** Model family as the report knows it (from the model name). */
export type Family = "vae" | "vqvae" | "vqgan" | "dcgan" | "unknown";

/** "reddipalli22-vqvae" → "vqvae"; the demo's VAE → "vae". */
export function familyOf(modelName: string): Family {
  const m = modelName.match(/(vqvae|vqgan|dcgan|vae)\b/);
  return m ? (m[1] as Family) : "unknown";
}

const SKIP = new Set([
  "step",
  "epoch",
  "stepsPerSec",
  "lr",
  "discLr",
  "valLoss",
  "time",
  "gpuLiveBuffers",
  "gpuLiveMB",
  "gpuPooledMB",
  "hostRssMB",
]);

/** What a logged term is (the chart's subtitle) and its unit (the y axis title). */
export function termLabel(term: string, family: Family): { what: string; unit: string } {
  const l1 = family === "vae"
    ? { what: "Σ|x − x̂| per image", unit: "intensity" }
    : { what: "mean |x − x̂|", unit: "intensity" };
  const labels: Record<string, { what: string; unit: string }> = {
    loss: { what: "the optimised total", unit: "loss (unitless)" },
    l1,
    kl: { what: "KL divergence per image", unit: "nats" },
    mse: { what: "mean (x − x̂)²", unit: "intensity²" },
    vq: { what: "weighted VQ loss", unit: "latent units²" },
    codebook: { what: "codebook loss ‖sg[z] − e‖²", unit: "latent units²" },
    commitment: { what: "commitment ‖z − sg[e]‖²", unit: "latent units²" },
    perplexity: { what: "exp(entropy) of the codes used", unit: "codes" },
    codebookUsage: { what: "codes used in the batch", unit: "fraction of codes" },
    perceptual: { what: "perceptual feature distance", unit: "feature units²" },
    gan: { what: "generator adversarial loss", unit: "unitless" },
    disc: { what: "discriminator loss", unit: "unitless" },
    lambda: { what: "adaptive adversarial weight λ", unit: "weight" },
    "validation loss": family === "vqvae"
      ? { what: "mean (x − x̂)², validation slices", unit: "intensity²" }
      : { what: "mean |x − x̂|, validation slices", unit: "intensity" },
  };
  return labels[term] ?? { what: "as logged", unit: "as logged" };
}

export function trainingChart(
  log: Record<string, unknown>[],
  family: Family = "unknown",
): Promise<string> | null {
  const byTerm = new Map<string, { step: number; value: number }[]>();
  const add = (term: string, step: number, value: number) => {
    if (!byTerm.has(term)) byTerm.set(term, []);
    byTerm.get(term)!.push({ step, value });
  };
  for (const row of log) {
    const step = Number(row.step);
    for (const [k, v] of Object.entries(row)) {
      if (SKIP.has(k) || typeof v !== "number" || !Number.isFinite(v)) continue;
      add(k, step, v);
    }
    if (typeof row.valLoss === "number" && Number.isFinite(row.valLoss)) {
      add("validation loss", step, row.valLoss);
    }
  }
  if (!byTerm.size) return null;
  return renderSvg({
    columns: 3,
    concat: [...byTerm].map(([term, values]) => ({
      title: { text: term, subtitle: termLabel(term, family).what },
      width: 220,
      height: 150,
      data: { values },
      mark: { type: "line", point: values.length < 60 },
      encoding: {
        x: {
          field: "step",
          type: "quantitative",
          title: "step",
          axis: { tickCount: 5, tickMinStep: 1, format: "d" },
        },
        y: {
          field: "value",
          type: "quantitative",
          scale: { zero: false },
          title: termLabel(term, family).unit,
          axis: { tickCount: 5 },
        },
      },
    })),
  });
}

/** Codes with any use, and the perplexity exp(−Σ p log p) of the usage distribution. */
export function usageStats(usage: number[]): { used: number; perplexity: number } {
  let h = 0, used = 0;
  for (const p of usage) {
    if (p > 0) {
      used++;
      h -= p * Math.log(p);
    }
  }
  return { used, perplexity: Math.exp(h) };
}

export function usageChart(usage: number[]): Promise<string> {
  const { used, perplexity } = usageStats(usage);
  return renderSvg({
    title: {
      text: "codebook usage on the test data",
      subtitle: `${used} of ${usage.length} codes used · perplexity ${
        perplexity.toFixed(1)
      } codes (all used evenly: ${usage.length})`,
    },
    width: 560,
    height: 140,
    data: { values: usage.map((u, k) => ({ code: k, share: u })) },
    mark: { type: "bar", width: Math.max(1, Math.min(8, 520 / usage.length)) },
    encoding: {
      x: {
        field: "code",
        type: "quantitative",
        title: "code index",
        scale: { domain: [-0.5, usage.length - 0.5], nice: false },
        axis: { tickCount: 8, format: "d" },
      },
      y: {
        field: "share",
        type: "quantitative",
        title: "share of test latents (%)",
        axis: { format: ".1%", tickCount: 5 },
      },
    },
  });
}
