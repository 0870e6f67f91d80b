// The second study's models by name, for createModel (src/models/create_model.ts):
// chandru25-vqgan, chandru25-discriminator, chandru25-perceptual, chandru25-dcgan and
// chandru25-dcgan-discriminator (the DCGAN baseline's D, for its GAN training).

import type { ModelFactory } from "../types.ts";
import { Chandru25Vqgan, type Chandru25VqganOptions } from "./vqgan.ts";
import { Chandru25Discriminator, type Chandru25DiscriminatorOptions } from "./discriminator.ts";
import { Chandru25Perceptual, type Chandru25PerceptualOptions } from "./perceptual.ts";
import {
  Chandru25Dcgan,
  Chandru25DcganDiscriminator,
  type Chandru25DcganOptions,
} from "./dcgan.ts";

export { Chandru25Vqgan } from "./vqgan.ts";
export { Chandru25Discriminator } from "./discriminator.ts";
export { Chandru25Perceptual } from "./perceptual.ts";
export { Chandru25Dcgan, Chandru25DcganDiscriminator } from "./dcgan.ts";
export { StudyEmaQuantizer } from "./study_ema_quantizer.ts";

export const CHANDRU25_MODELS: Record<string, ModelFactory> = {
  "chandru25-vqgan": (o) => new Chandru25Vqgan(o as Chandru25VqganOptions),
  "chandru25-discriminator": (o) => new Chandru25Discriminator(o as Chandru25DiscriminatorOptions),
  "chandru25-perceptual": (o) => new Chandru25Perceptual(o as Chandru25PerceptualOptions),
  "chandru25-dcgan": (o) => new Chandru25Dcgan(o as Chandru25DcganOptions),
  "chandru25-dcgan-discriminator": (o) =>
    new Chandru25DcganDiscriminator(o as Chandru25DcganOptions),
};
