// groupNorm() / groupNormSilu() against PyTorch fixtures (test/fixtures/norm.safetensors, "gn."
// cases, made by tools/fixtures/norm_fixtures.py), forward and all gradients; gradchecks.

import { groupNorm, groupNormSilu } from "../../src/kernels/group_norm.ts";
import { fixture, gradcheck, hostRandom, setup } from "../helpers.ts";
import { caseNames, cfgOf, checkCase } from "./_fixture_cases.ts";

const f = await fixture("norm");

for (const name of caseNames(f, "gn.")) {
  const [groups, , , silu, eps9] = cfgOf(f, name);
  const op = silu ? groupNormSilu : groupNorm;
  Deno.test({
    name: `${silu ? "groupNormSilu" : "groupNorm"}() matches PyTorch: ${name.slice(3)}`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await checkCase(f, name, 3, (x, w, b) => op(x!, groups, w, b, eps9 * 1e-9));
    },
  });
}

for (const [label, op] of [["groupNorm", groupNorm], ["groupNormSilu", groupNormSilu]] as const) {
  Deno.test({
    name: `${label}() passes gradcheck with 2 groups and an affine`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await gradcheck(
        (x, w, b) => op(x, 2, w, b, 1e-5),
        [
          { data: hostRandom(2 * 4 * 3 * 2, 11).map((v) => 2 * v + 0.5), shape: [2, 4, 3, 2] },
          { data: hostRandom(4, 12).map((v) => v + 1.5), shape: [4] },
          { data: hostRandom(4, 13), shape: [4] },
        ],
        { eps: 1e-2 },
      );
    },
  });
}
