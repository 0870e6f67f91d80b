// Wrapper of shaders/codebook_restart.wgsl: dead codes take random rows of the current encoder
// outputs (used by the vector quantiser's dead-code restart; no gradient). Owns the kernel's
// parameter block.

import src from "../../shaders/codebook_restart.wgsl" with { type: "text" };
import { dispatch, grid1d } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";

const CODEBOOK_RESTART = paramBlock("CodebookRestartParams", { N: "u32", K: "u32", D: "u32" });
const RESTART = {
  name: "codebook_restart",
  params: CODEBOOK_RESTART,
  code: src,
  inputs: 4,
  outputs: 1,
};

/**
 * Returns a copy of weight [K, D] where rows with mask[k] > 0 are replaced by
 * z[floor(uniform[k]·N)] (z [N, D] with N ≥ 1, uniform [K] in [0, 1), mask [K] of 0/1).
 */
export function restartCodes(weight: Tensor, z: Tensor, uniform: Tensor, mask: Tensor): Tensor {
  const [K, D] = weight.shape, N = z.shape[0];
  if (z.shape[1] !== D || uniform.size !== K || mask.size !== K || N === 0) {
    throw new Error(`neurad: restartCodes shapes ${weight}, ${z}, ${uniform}, ${mask}`);
  }
  const out = Tensor.empty([K, D]);
  dispatch(
    RESTART,
    { N, K, D },
    [weight.buffer, z.buffer, uniform.buffer, mask.buffer, out.buffer],
    grid1d(Math.ceil((K * D) / 256)),
    0, // no loop
  );
  return out;
}
