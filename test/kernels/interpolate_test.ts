// interpolate() against PyTorch fixtures (test/fixtures/resample.safetensors, "interp." cases):
// nearest and bilinear, by size and by scale factor, alignCorners on and off, up and down
// (including the VQGAN decoder's 5×4 → 80×64); forward and input gradient; gradchecks; index
// tables cached per argument set.

import { strictEqual } from "node:assert";
import { rt } from "../../src/core/device.ts";
import { sync } from "../../src/core/dispatch.ts";
import { interpolate } from "../../src/kernels/interpolate.ts";
import { Tensor } from "../../src/core/tensor.ts";
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

Deno.test({
  name: "interpolate() builds each index table once: repeat calls create no GPU buffer but outputs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await setup();
    const device = rt().device;
    const x = Tensor.from(hostRandom(2 * 3 * 5 * 5, 3), [2, 3, 5, 5]);
    const bySize = (o: Parameters<typeof interpolate>[1]) => interpolate(x, o);
    // Same output size from a size and from a factor: different tables (PyTorch scales by
    // in/out for a size, 1/factor for a factor), so different bilinear results.
    const a = bySize({ size: 12, mode: "bilinear" });
    const b = bySize({ scaleFactor: 2.5, mode: "bilinear" });
    const [ha, hb] = await Tensor.toArrays([a, b]);
    strictEqual(ha.length, hb.length);
    strictEqual(ha.some((v, i) => v !== hb[i]), true, "size and factor tables were confused");
    bySize({ size: 12, mode: "bilinear" }).dispose(); // its output buffer joins the pool
    let created = 0;
    const orig = device.createBuffer;
    device.createBuffer = function (this: GPUDevice, d: GPUBufferDescriptor) {
      created++;
      return orig.call(this, d);
    };
    try {
      for (let i = 0; i < 3; i++) {
        bySize({ size: 12, mode: "bilinear" }).dispose();
        bySize({ scaleFactor: 2.5, mode: "bilinear" }).dispose();
      }
      await sync();
    } finally {
      device.createBuffer = orig;
    }
    strictEqual(created, 0, "the pool serves the outputs; the tables are cached");
    for (const t of [x, a, b]) t.dispose();
  },
});
