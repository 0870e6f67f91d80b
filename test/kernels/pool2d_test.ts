// avgPool2d() / maxPool2d() against PyTorch fixtures (test/fixtures/resample.safetensors, "avg."
// and "max." cases, made by tools/fixtures/resample_fixtures.py), including ties; gradchecks.

import { avgPool2d, maxPool2d } from "../../src/kernels/pool2d.ts";
import { fixture, gradcheck, hostRandom, setup } from "../helpers.ts";
import { caseNames, cfgOf, checkCase } from "./_fixture_cases.ts";

const f = await fixture("resample");

for (const [prefix, op] of [["avg.", avgPool2d], ["max.", maxPool2d]] as const) {
  for (const name of caseNames(f, prefix)) {
    const [k, stride, padding] = cfgOf(f, name);
    Deno.test({
      name: `${op.name}() matches PyTorch: ${name.slice(prefix.length)}`,
      sanitizeResources: false,
      sanitizeOps: false,
      async fn() {
        await setup();
        await checkCase(f, name, 1, (x) => op(x!, k, stride, padding));
      },
    });
  }
  Deno.test({
    name: `${op.name}() passes gradcheck with k3 s2 p1`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      // Distinct, well-separated values keep the max's argmax stable under the ±eps probes.
      const data = hostRandom(2 * 5 * 4, 31).map((_, i) => ((i * 7) % 40) * 0.1);
      await gradcheck((x) => op(x, 3, 2, 1), [{ data, shape: [1, 2, 5, 4] }], { eps: 1e-3 });
    },
  });
}
