// Forward and forward+backward of the first study's models at 1×95×79 (img/s and GFLOP/s;
// FLOPs from bench/_model_flops.ts). llvmpipe (default): batch 2, and the VQGAN at width 0.25
// (its full width takes minutes per pass there); NEURAD_BENCH_SIZE=gpu: batch 16, full widths.
// Training mode; forward+backward backpropagates sum(recon) (+ the VQ loss) to every parameter.
// Run: deno bench -A bench/models_bench.ts (the table prints at the end).

import { add, getDevice, noGrad, sum, sync, tidy } from "../src/mod.ts";
import { createModel } from "../src/app.ts";
import type { Module, Tensor } from "../src/mod.ts";
import type { Autoencoder, Discriminator } from "../src/app.ts";
import { rand } from "../src/kernels/random.ts";
import { GPU_SIZES } from "./_throughput.ts";
import { forwardFlops } from "./_model_flops.ts";

await getDevice();
const B = GPU_SIZES ? 16 : 2;
const CASES: [string, Record<string, unknown>][] = [
  ["reddipalli22-vae", {}],
  ["reddipalli22-vqvae", {}],
  ["reddipalli22-vqgan", GPU_SIZES ? {} : { widthMultiplier: 0.25 }],
  ["reddipalli22-patchgan", {}],
];

interface Row {
  name: string;
  pass: string;
  flops: number;
  seconds: number[];
}
const rows: Row[] = [];

function outputOf(m: Module, x: Tensor): Tensor {
  const out = (m as unknown as Autoencoder | Discriminator).forward(x);
  if ("recon" in out) return out.vqLoss ? add(sum(out.recon), out.vqLoss) : sum(out.recon);
  return sum(out as Tensor);
}

for (const [name, options] of CASES) {
  const label = `${name}${options.widthMultiplier ? ` ×${options.widthMultiplier}` : ""}`;
  let model: Module | null = null, x: Tensor | null = null, perImage = 0;
  const ensure = () => {
    if (!model) {
      model = createModel(name, options);
      perImage = forwardFlops(model, [1, 95, 79]);
      x = rand([B, 1, 95, 79]);
    }
  };
  for (const pass of ["forward", "forward+backward"]) {
    const row: Row = { name: label, pass, flops: 0, seconds: [] };
    rows.push(row);
    Deno.bench({
      group: pass,
      name: `${label} batch ${B}`,
      n: GPU_SIZES ? 20 : 3,
      warmup: 1,
      async fn(b) {
        ensure();
        row.flops = perImage * B * (pass === "forward" ? 1 : 3);
        b.start();
        const t0 = performance.now();
        if (pass === "forward") noGrad(() => tidy(() => outputOf(model!, x!))).dispose();
        else {
          const l = tidy(() => outputOf(model!, x!));
          l.backward();
          l.dispose();
          model!.zeroGrad();
        }
        await sync();
        row.seconds.push((performance.now() - t0) / 1000);
        b.end();
      },
    });
  }
}

globalThis.addEventListener("unload", () => {
  if (!rows.some((r) => r.seconds.length)) return;
  console.log(`\nmodels at 1×95×79, batch ${B} (median of timed iterations):`);
  for (const r of rows) {
    if (!r.seconds.length) continue;
    const s = [...r.seconds].sort((a, b) => a - b)[Math.floor(r.seconds.length / 2)];
    console.log(
      `  ${r.name.padEnd(28)} ${r.pass.padEnd(17)} ${(s * 1e3).toFixed(0).padStart(8)} ms  ${
        (B / s).toFixed(1).padStart(8)
      } img/s  ${(r.flops / s / 1e9).toFixed(2).padStart(7)} GFLOP/s`,
    );
  }
});
