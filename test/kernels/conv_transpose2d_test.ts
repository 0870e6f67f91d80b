// convTranspose2d() against PyTorch fixtures (test/fixtures/conv.safetensors, "convT." cases)
// with both kernel variants, forward and all gradients; finite-difference gradchecks.

import { convTranspose2d } from "../../src/kernels/conv_transpose2d.ts";
import type { ConvVariant } from "../../src/kernels/conv_gather.ts";
import { fixture, gradcheck, hostRandom, setup } from "../helpers.ts";
import { caseNames, cfgOf, checkCase } from "./_fixture_cases.ts";

const f = await fixture("conv");
const VARIANTS: ConvVariant[] = ["direct", "gemm", "phased"];

for (const variant of VARIANTS) {
  for (const name of caseNames(f, "convT.")) {
    const [stride, padding, outputPadding] = cfgOf(f, name);
    Deno.test({
      name: `convTranspose2d() matches PyTorch: ${name.slice(6)} (${variant})`,
      sanitizeResources: false,
      sanitizeOps: false,
      async fn() {
        await setup();
        await checkCase(
          f,
          name,
          3,
          (x, w, b) => convTranspose2d(x!, w!, b, { stride, padding, outputPadding, variant }),
        );
      },
    });
  }
  Deno.test({
    name:
      `convTranspose2d() passes gradcheck with stride 2, padding 1, outputPadding 1 (${variant})`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await gradcheck(
        (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, variant }),
        [
          { data: hostRandom(2 * 2 * 3 * 2, 4), shape: [2, 2, 3, 2] },
          { data: hostRandom(2 * 3 * 3 * 3, 5), shape: [2, 3, 3, 3] },
          { data: hostRandom(3, 6), shape: [3] },
        ],
      );
    },
  });
}
