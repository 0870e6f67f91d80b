// Heavier checks of the first study's VQGAN (deno task test-heavy): the model in both modes
// against PyTorch with every gradient at width 0.25 (about 12 s each on llvmpipe; the faithful one
// with its unapplied proj_out, 2-pixel bias border and β on the codebook term), and the full-width
// model (D = K = 128): a finite forward pass at 1×95×79 with the bias-only border.

import { deepStrictEqual, ok } from "node:assert";
import { noGrad, randn, summary } from "../../src/mod.ts";
import type { Autoencoder } from "../../src/app.ts";
import { createModel } from "../../src/models/create_model.ts";
import { setup } from "../helpers.ts";
import { checkAutoencoder } from "../models/_model_fixtures.ts";

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

test("reddipalli22-vqgan (corrected, width 0.25, D = K = 64): forward and every gradient match PyTorch", async () => {
  await checkAutoencoder("vqgan_corrected", "reddipalli22-vqgan", {
    embedDim: 64,
    numCodes: 64,
    widthMultiplier: 0.25,
  });
});

test("reddipalli22-vqgan (faithful, width 0.25, D = K = 64): forward and every gradient match PyTorch", async () => {
  await checkAutoencoder("vqgan_faithful", "reddipalli22-vqgan", {
    mode: "faithful",
    embedDim: 64,
    numCodes: 64,
    widthMultiplier: 0.25,
  });
});

test("reddipalli22-vqgan full width (faithful): finite output whose 2-pixel border is the bias", async () => {
  const g = createModel<Autoencoder>("reddipalli22-vqgan", { mode: "faithful" });
  g.eval();
  const x = randn([1, 1, 95, 79]);
  const y = noGrad(() => g.reconstruct(x));
  deepStrictEqual(y.shape, [1, 1, 95, 79]);
  const v = await y.toArray() as Float32Array;
  ok(v.every(Number.isFinite), "finite output");
  const bias = (await g.stateDict().get("decoder.model.35.bias")!.toArray())[0];
  for (let i = 0; i < 95; i++) {
    for (let j = 0; j < 79; j++) {
      const border = i < 2 || i >= 93 || j < 2 || j >= 77;
      if (border) {
        ok(Math.abs(v[i * 79 + j] - bias) < 1e-6, `border pixel (${i}, ${j}) is the bias`);
      }
    }
  }
  ok(v.some((u) => Math.abs(u - bias) > 1e-6), "the interior is not constant");
  for (const t of [x, y]) t.dispose();
  g.dispose();
});

test("summary: full-width VQGAN faithful uses 68,646,273, the study counted 70,682,241 (+ D 73,445,826)", () => {
  const g = createModel<Autoencoder>("reddipalli22-vqgan", { mode: "faithful" });
  const r = summary(g, [1, 95, 79]);
  ok(
    r.text.endsWith("parameters: 68,646,273\nas counted by the study: 70,682,241"),
    r.text.slice(-200),
  );
  const unapplied = r.rows.filter((x) => !x.applied);
  ok(unapplied.every((x) => x.layer.endsWith(".proj_out")));
  ok(unapplied.reduce((a, x) => a + x.parameters, 0) === 2_035_968);
  deepStrictEqual(r.rows.find((x) => x.layer === "encoder.model.20")!.outputShape, [1, 512, 5, 4]);
  g.dispose();
  const d = createModel("reddipalli22-patchgan");
  ok(r.studyParameters! + summary(d, [1, 95, 79]).parameters === 73_445_826);
  d.dispose();
});
