// createModel entries of the first study (Reddipalli 2022): VAE, VQ-VAE, VQGAN, PatchGAN.

import type { ModelFactory } from "../types.ts";
import { Reddipalli22PatchGan } from "./patchgan.ts";
import { Reddipalli22Vae } from "./vae.ts";
import { Reddipalli22Vqgan } from "./vqgan.ts";
import { Reddipalli22Vqvae } from "./vqvae.ts";

export const reddipalli22Models: Record<string, ModelFactory> = {
  "reddipalli22-vae": (o) => new Reddipalli22Vae(o),
  "reddipalli22-vqvae": (o) => new Reddipalli22Vqvae(o),
  "reddipalli22-vqgan": (o) => new Reddipalli22Vqgan(o),
  "reddipalli22-patchgan": (o) => new Reddipalli22PatchGan(o),
};
