// summary(model, inputShape): per-layer output shapes and parameters from one forward pass, the
// total of parameters used, the study's count where it differs, unapplied weights listed and
// left out, and the model's train/eval state and tensors untouched.

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { memoryStats, type Module, summary } from "../../src/mod.ts";
import { createModel } from "../../src/app.ts";
import { setup } from "../helpers.ts";

const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await fn();
    },
  });

test("summary: VAE L128 prints 1,669,281 used and 1,915,041 as counted by the study (both modes)", () => {
  for (const mode of ["corrected", "faithful"]) {
    const m = createModel<Module>("reddipalli22-vae", { mode });
    const before = memoryStats().liveBuffers;
    const r = summary(m, [1, 95, 79]);
    strictEqual(memoryStats().liveBuffers, before, "no tensors left behind");
    strictEqual(m.training, true, "train mode restored");
    strictEqual(r.parameters, 1_669_281);
    strictEqual(r.studyParameters, 1_915_041);
    const lines = r.text.split("\n");
    strictEqual(lines.at(-2), "parameters: 1,669,281");
    strictEqual(lines.at(-1), "as counted by the study: 1,915,041");
    const row = (name: string) => r.rows.find((x) => x.layer === name)!;
    deepStrictEqual(row("encoderUnified.Enc.6").outputShape, [1, 128, 12, 10]);
    deepStrictEqual(row("decoderUnified.Dec.0").outputShape, [1, 128, 23, 19]);
    deepStrictEqual(row("conv_dec_final").outputShape, [1, 1, 95, 79]);
    strictEqual(row("fc_enc_btn_mu").parameters, 245_888);
    const dead = r.rows.find((x) => x.layer === "conv_enc_btn2_mu");
    if (mode === "faithful") {
      ok(dead && !dead.applied && dead.parameters === 245_760, "unapplied conv listed");
      ok(/conv_enc_btn2_mu\s+UnappliedWeight\s+not applied\s+245,760/.test(r.text));
    } else strictEqual(dead, undefined);
    m.dispose();
  }
});

test("summary: VQ-VAE and PatchGAN totals, codebook read by its quantiser, no study line", () => {
  const v = createModel<Module>("reddipalli22-vqvae");
  const r = summary(v, [1, 95, 79]);
  strictEqual(r.parameters, 1_005_825);
  strictEqual(r.studyParameters, null);
  ok(r.text.endsWith("parameters: 1,005,825"));
  deepStrictEqual(r.rows.find((x) => x.layer === "encoder.conv_3")!.outputShape, [1, 128, 11, 9]);
  ok(r.rows.some((x) => x.layer === "vq_vae.embedding" && x.applied && x.parameters === 16_384));
  v.dispose();
  const d = createModel<Module>("reddipalli22-patchgan");
  const rd = summary(d, [1, 95, 79]);
  strictEqual(rd.parameters, 2_763_585);
  deepStrictEqual(rd.rows.at(-1)!.outputShape, [1, 1, 9, 7]);
  d.dispose();
});
