// ONNX export of the first study's VQGAN (Reddipalli 2022) against onnxruntime, both modes
// (corrected: proj_out applied and the bilinear resize to 95×79; faithful: proj_out unapplied,
// the last conv padded by 2): ResnetBlocks, GroupNorm, attention, Downsample's padding,
// Upsample's nearest ×2, the nearest code. Heavy: tens of seconds on a loaded llvmpipe; the
// other models are checked in test/export/onnx_export_test.ts.

import { type AnyModel, checkOnnxCase, type OnnxCase, TOL } from "../export/_onnx_check.ts";

const CASES: OnnxCase[] = [
  {
    name: "reddipalli22-vqgan",
    options: {
      mode: "corrected",
      widthMultiplier: 1 / 32,
      normGroups: 4,
      embedDim: 64,
      numCodes: 64,
    },
    latents: (m: AnyModel, x) => m.quant_conv.forward(m.encoder.forward(x)),
    codebook: (m: AnyModel) => m.codebook.weight,
  },
  {
    name: "reddipalli22-vqgan",
    options: {
      mode: "faithful",
      widthMultiplier: 1 / 32,
      normGroups: 4,
      embedDim: 64,
      numCodes: 64,
    },
    latents: (m: AnyModel, x) => m.quant_conv.forward(m.encoder.forward(x)),
    codebook: (m: AnyModel) => m.codebook.weight,
  },
];

for (const c of CASES) {
  Deno.test(
    `onnxOfModel(): ${c.name} (${c.options.mode}) matches onnxruntime within ${TOL}`,
    () => checkOnnxCase(c),
  );
}
