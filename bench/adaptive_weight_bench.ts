// VQGAN's adaptive weight λ = ‖∇_W L_rec‖ / (‖∇_W L_gan‖ + 1e-4) at the decoder's last layer W,
// on a small encoder/decoder + patch discriminator, three ways, each a whole generator step:
//   baseline: forward, one backward of L_rec + L_gan (no λ);
//   grad(): forward, two grad() calls reaching only W, λ on the GPU, one backward;
//   extra backward: forward, two extra full backward passes (retainGraph) to read W's
//     gradients, λ on the GPU, one backward (what the engine could do before grad()).
// The three run interleaved; printed at exit: median ms per step and λ's cost over the
// baseline in units of one full backward (half the extra-backward way's overhead).
// NEURAD_BENCH_SIZE=gpu: batch 16 at 64×64 with wider layers.
// Run: deno bench -A bench/adaptive_weight_bench.ts

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { GPU_SIZES } from "./_throughput.ts";

await nd.getDevice();
nd.manualSeed(3);
const [B, S, C] = GPU_SIZES ? [16, 64, 64] : [4, 32, 16];

class Coder extends nd.Module {
  e1 = this.registerModule("e1", new nd.Conv2d(1, C, 4, { stride: 2, padding: 1 }));
  e2 = this.registerModule("e2", new nd.Conv2d(C, 2 * C, 4, { stride: 2, padding: 1 }));
  d1 = this.registerModule("d1", new nd.ConvTranspose2d(2 * C, C, 4, { stride: 2, padding: 1 }));
  d2 = this.registerModule("d2", new nd.ConvTranspose2d(C, 1, 4, { stride: 2, padding: 1 }));
  forward(x: Tensor): Tensor {
    const h = nd.silu(this.e2.forward(nd.silu(this.e1.forward(x))));
    return this.d2.forward(nd.silu(this.d1.forward(h)));
  }
  lastLayerWeight(): Tensor {
    return new Map(this.d2.namedParameters()).get("weight")!;
  }
}

class Disc extends nd.Module {
  c1 = this.registerModule("c1", new nd.Conv2d(1, C, 4, { stride: 2, padding: 1 }));
  c2 = this.registerModule("c2", new nd.Conv2d(C, 1, 4, { stride: 1, padding: 1 }));
  forward(x: Tensor): Tensor {
    return this.c2.forward(nd.leakyRelu(this.c1.forward(x), 0.2));
  }
}

const model = new Coder(), disc = new Disc();
const params = [...model.parameters(), ...disc.parameters()];
const x = nd.rand([B, 1, S, S]);
const W = model.lastLayerWeight();

function losses() {
  const rec = model.forward(x);
  return { lrec: nd.l1Loss(rec, x), lgan: nd.neg(nd.mean(disc.forward(rec))) };
}

const norm = (g: Tensor) => nd.sqrt(nd.sum(nd.square(g)));
const lambdaOf = (gr: Tensor, gg: Tensor) =>
  nd.noGrad(() => nd.clamp(nd.div(norm(gr), nd.addScalar(norm(gg), 1e-4)), 0, 1e4));

type Way = "baseline" | "grad()" | "extra backward";
const step: Record<Way, () => void> = {
  baseline: () =>
    nd.tidy(() => {
      const { lrec, lgan } = losses();
      nd.add(lrec, lgan).backward();
    }),
  "grad()": () =>
    nd.tidy(() => {
      const { lrec, lgan } = losses();
      const [gr] = nd.grad(lrec, W, { retainGraph: true });
      const [gg] = nd.grad(lgan, W, { retainGraph: true });
      nd.add(lrec, nd.mul(lgan, lambdaOf(gr, gg))).backward();
    }),
  "extra backward": () =>
    nd.tidy(() => {
      const { lrec, lgan } = losses();
      lrec.backward(undefined, { retainGraph: true });
      const gr = nd.clone(W.grad!);
      nd.zeroGradOf(params, true);
      lgan.backward(undefined, { retainGraph: true });
      const gg = nd.clone(W.grad!);
      nd.zeroGradOf(params, true);
      nd.add(lrec, nd.mul(lgan, lambdaOf(gr, gg))).backward();
    }),
};

const times: Record<Way, number[]> = { baseline: [], "grad()": [], "extra backward": [] };
const reps = GPU_SIZES ? 10 : 3;
let rotation = 0;
// The three ways run interleaved in every iteration, so load from other processes hits them alike.
Deno.bench({
  group: "adaptive weight",
  name: "baseline, grad(), extra backward (interleaved; per-way medians printed at exit)",
  n: 9,
  warmup: 1,
  async fn() {
    const ways = Object.keys(step) as Way[];
    rotation = (rotation + 1) % ways.length; // no way always runs first
    for (const way of [...ways.slice(rotation), ...ways.slice(0, rotation)]) {
      await nd.sync();
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) {
        step[way]();
        nd.zeroGradOf(params, true);
      }
      await nd.sync();
      times[way].push((performance.now() - t0) / reps);
    }
  },
});

globalThis.addEventListener("unload", () => {
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1] ?? NaN;
  const base = med(times.baseline);
  const extraBackward = (med(times["extra backward"]) - base) / 2; // one full backward's cost
  console.log(`\nadaptive weight, [${B}, 1, ${S}, ${S}], width ${C} (median ms per step):`);
  for (const way of Object.keys(times) as Way[]) {
    const t = med(times[way]);
    const over = way === "baseline"
      ? ""
      : `  λ costs ${(t - base).toFixed(1)} ms = ${
        ((t - base) / extraBackward).toFixed(2)
      } full backward passes`;
    console.log(`  ${way.padEnd(15)} ${t.toFixed(1)} ms${over}`);
  }
});
