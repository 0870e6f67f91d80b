// Weight-key translation between neurad's reddipalli22-vqgan (taming's block names) and the
// first study's VQGAN code (dome272-style names), so the study's checkpoints load and ours
// export: ResidualBlock block.0.gn / block.2 / block.3.gn / block.5 / channel_up ↔ norm1 / conv1
// / norm2 / conv2 / nin_shortcut; NonLocalBlock gn.gn ↔ norm; the study's GroupNorm wrapper
// model.<i>.gn ↔ model.<i>. Every other key (q, k, v, proj_out, Down/UpSampleBlock conv,
// codebook.embedding, quant_conv, post_quant_conv, the discriminator's model.<i>) is the same.

import { GroupNorm } from "../../nn/group_norm.ts";
import type { Module } from "../../nn/module.ts";

const FROM_STUDY: [RegExp, string][] = [
  [/\.block\.0\.gn\.(weight|bias)$/, ".norm1.$1"],
  [/\.block\.2\.(weight|bias)$/, ".conv1.$1"],
  [/\.block\.3\.gn\.(weight|bias)$/, ".norm2.$1"],
  [/\.block\.5\.(weight|bias)$/, ".conv2.$1"],
  [/\.channel_up\.(weight|bias)$/, ".nin_shortcut.$1"],
  [/\.gn\.gn\.(weight|bias)$/, ".norm.$1"],
  [/(\.model\.\d+)\.gn\.(weight|bias)$/, "$1.$2"],
];

const TO_STUDY: [RegExp, string][] = [
  [/\.norm1\.(weight|bias)$/, ".block.0.gn.$1"],
  [/\.conv1\.(weight|bias)$/, ".block.2.$1"],
  [/\.norm2\.(weight|bias)$/, ".block.3.gn.$1"],
  [/\.conv2\.(weight|bias)$/, ".block.5.$1"],
  [/\.nin_shortcut\.(weight|bias)$/, ".channel_up.$1"],
  [/\.norm\.(weight|bias)$/, ".gn.gn.$1"],
];

/** The neurad key of a key in the study's VQGAN state dict (unchanged when names agree). */
export function vqganKeyFromStudy(key: string): string {
  for (const [re, to] of FROM_STUDY) if (re.test(key)) return key.replace(re, to);
  return key;
}

/** neurad key → the study's key, for every tensor of `model` (a reddipalli22-vqgan). */
export function vqganStudyKeys(model: Module): Map<string, string> {
  const modules = new Map(model.namedModules());
  const out = new Map<string, string>();
  for (const key of model.stateDict().keys()) {
    const owner = key.slice(0, key.lastIndexOf("."));
    let study = key;
    if (modules.get(owner) instanceof GroupNorm && /\.model\.\d+$/.test(owner)) {
      study = key.replace(/\.(weight|bias)$/, ".gn.$1"); // the study's GroupNorm wrapper
    } else {
      for (const [re, to] of TO_STUDY) {
        if (re.test(key)) {
          study = key.replace(re, to);
          break;
        }
      }
    }
    out.set(key, study);
  }
  return out;
}
