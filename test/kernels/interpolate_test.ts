// interpolate() against PyTorch fixtures (test/fixtures/resample.safetensors, "interp." cases):
// nearest and bilinear, by size and by scale factor, alignCorners on and off, up and down
// (including the VQGAN decoder's 5×4 → 80×64); forward and input gradient; gradchecks.

import { interpolate } from "../../src/kernels/interpolate.ts";
import { fixture, gradcheck, hostRandom, setup } from "../helpers.ts";
import { caseNames, cfgOf, checkCase } from "./_fixture_cases.ts";

const f = await fixture("resample");

for (const name of caseNames(f, "interp.")) {
  const [bilinear, align, outH, outW, sf1000] = cfgOf(f, name);
  const mode = bilinear ? "bilinear" : "nearest";
  const alignCorners = align < 0 ? undefined : align === 1;
  const sizing = sf1000
    ? { scaleFactor: sf1000 / 1000 }
    : { size: [outH, outW] as [number, number] };
  Deno.test({
    name: `interpolate() matches PyTorch: ${name.slice(7)}`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await checkCase(f, name, 1, (x) => {
        const y = interpolate(x!, { ...sizing, mode, alignCorners });
        if (y.shape[2] !== outH || y.shape[3] !== outW) throw new Error(`shape [${y.shape}]`);
        return y;
      });
    },
  });
}

for (const alignCorners of [false, true]) {
  Deno.test({
    name: `interpolate() bilinear passes gradcheck (alignCorners ${alignCorners})`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await gradcheck(
        (x) => interpolate(x, { size: [7, 5], mode: "bilinear", alignCorners }),
        [{ data: hostRandom(2 * 3 * 4, 41), shape: [1, 2, 3, 4] }],
      );
    },
  });
}
