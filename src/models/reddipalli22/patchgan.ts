// The first study's PatchGAN discriminator (Table 4.2): NLayerDiscriminator with 1 input
// channel, 64 filters, 3 layers, keys model.<i>... as the study's code; 9×7 logits for 95×79
// input, 2,763,585 parameters. Both modes are the same network.

import { NLayerDiscriminator } from "../blocks/nlayer_discriminator.ts";
import type { StudyMode } from "../types.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  intOption,
  resolveMode,
  resolveWidth,
  scaleChannels,
} from "../model_options.ts";

export interface Reddipalli22PatchGanOptions extends CommonModelOptions {
  /** Number of stride-2/stride-1 BatchNorm layers (default 3). */
  nLayers?: number;
}

const NAME = "reddipalli22-patchgan";

export class Reddipalli22PatchGan extends NLayerDiscriminator {
  readonly mode: StudyMode;

  constructor(o: Reddipalli22PatchGanOptions = {}) {
    checkOptionNames(NAME, o, ["nLayers"]);
    const m = resolveWidth(NAME, o.widthMultiplier);
    super({
      inputChannels: 1,
      filters: scaleChannels(64, m),
      nLayers: intOption(NAME, "nLayers", o.nLayers, 3, 1, 5),
      container: "model",
    });
    this.mode = resolveMode(NAME, o.mode);
  }
}
