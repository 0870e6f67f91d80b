// Integration: a tiny VQ-VAE (conv encoder, group norm, EMA vector quantiser, transposed-conv
// decoder) trained with Adam for 40 steps on smooth random images. The loss must fall, the
// live-buffer count must stay flat across steps, and nothing may be left alive afterwards.

import * as nd from "../../src/mod.ts";
import { setup } from "../helpers.ts";

class TinyVqVae extends nd.Module {
  enc1 = this.registerModule("enc1", new nd.Conv2d(1, 8, 4, { stride: 2, padding: 1 }));
  norm = this.registerModule("norm", new nd.GroupNorm(4, 8));
  enc2 = this.registerModule("enc2", new nd.Conv2d(8, 4, 3, { padding: 1 }));
  quantize = this.registerModule(
    "quantize",
    new nd.VectorQuantizer({ numCodes: 16, codeDim: 4, update: "ema", seed: 1 }),
  );
  dec1 = this.registerModule("dec1", new nd.ConvTranspose2d(4, 8, 4, { stride: 2, padding: 1 }));
  dec2 = this.registerModule("dec2", new nd.Conv2d(8, 1, 3, { padding: 1 }));

  forward(x: nd.Tensor) {
    const ze = this.enc2.forward(this.norm.forwardSilu(this.enc1.forward(x)));
    const q = this.quantize.forward(ze);
    const rec = this.dec2.forward(nd.silu(this.dec1.forward(q.zq)));
    return { rec, vqLoss: q.loss, perplexity: q.perplexity };
  }
}

Deno.test({
  name: "a tiny VQ-VAE trains: loss falls, live buffers stay flat, everything is freed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await setup();
    const before = nd.memoryStats().liveBuffers;
    nd.manualSeed(11);
    // Smooth images: 4×4 noise upsampled bilinearly to 16×16.
    const x = nd.tidy(() =>
      nd.interpolate(nd.randn([8, 1, 4, 4]), { size: [16, 16], mode: "bilinear" })
    );
    const model = new TinyVqVae();
    const opt = new nd.Adam(model.parameters(), { lr: 3e-3 });
    const step = () => {
      const loss = nd.tidy(() => {
        const out = model.forward(x);
        return nd.add(nd.mseLoss(out.rec, x), out.vqLoss);
      });
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss;
    };
    const losses: number[] = [];
    let live = -1;
    for (let i = 0; i < 40; i++) {
      const l = step();
      if (i === 0 || i === 39) losses.push(await l.item());
      l.dispose();
      if (i === 1) live = nd.memoryStats().liveBuffers;
      if (i > 1 && nd.memoryStats().liveBuffers !== live) {
        throw new Error(`step ${i}: ${nd.memoryStats().liveBuffers - live} buffers leaked`);
      }
    }
    if (Deno.env.get("NEURAD_DEBUG")) console.log(losses);
    if (!(losses[1] < 0.7 * losses[0])) throw new Error(`loss ${losses[0]} -> ${losses[1]}`);
    model.dispose();
    opt.dispose();
    x.dispose();
    if (nd.memoryStats().liveBuffers !== before) {
      throw new Error(`${nd.memoryStats().liveBuffers - before} buffers alive after dispose`);
    }
  },
});
