// createModel entries of the first study (Reddipalli 2022): VAE, VQ-VAE, VQGAN, PatchGAN.

import type { ModelFactory } from "../create_model.ts";
import { Reddipalli22Vae } from "./vae.ts";

export const reddipalli22Models: Record<string, ModelFactory> = {
  "reddipalli22-vae": (o) => new Reddipalli22Vae(o),
};
