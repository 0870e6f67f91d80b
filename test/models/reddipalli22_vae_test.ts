// The first study's VAE: parameter totals (used and as the study counted them), forward and
// every parameter gradient against the PyTorch model of tools/fixtures/
// models_reddipalli22_fixtures.py at 2×1×95×79, eval mode (corrected decodes μ, faithful
// samples), and createModel's one-line errors.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert";
import { add, mul, noGrad, sum, tidy } from "../../src/mod.ts";
import { createModel } from "../../src/models/create_model.ts";
import { Reddipalli22Vae } from "../../src/models/reddipalli22/vae.ts";
import { assertClose, fixture, setup, toTensor } from "../helpers.ts";
import { assertGradsMatch, fillModel, fixtureInput, upstream } from "./_model_fixtures.ts";

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

const count = (m: { parameters(): { size: number }[] }) =>
  m.parameters().reduce((a, p) => a + p.size, 0);

test("reddipalli22-vae: parameter totals as Reddipalli 2022 states them (used, and as the study counted)", () => {
  for (
    const [L, used, study] of [
      [32, 1_116_129, 1_177_569],
      [64, 1_300_513, 1_423_393],
      [128, 1_669_281, 1_915_041],
      [256, 2_406_817, 2_898_337],
    ]
  ) {
    const c = createModel<Reddipalli22Vae>("reddipalli22-vae", { latentDim: L });
    strictEqual(c.mode, "corrected");
    strictEqual(count(c), used, `corrected L ${L}`);
    strictEqual(c.studyParameterCount(), study, `study count L ${L}`);
    c.dispose();
    const f = createModel<Reddipalli22Vae>("reddipalli22-vae", { latentDim: L, mode: "faithful" });
    strictEqual(count(f), study, `faithful registers the unused conv, L ${L}`);
    strictEqual(f.studyParameterCount(), study);
    f.dispose();
  }
});

test("reddipalli22-vae: forward and every gradient match PyTorch (train mode, 2×1×95×79)", async () => {
  const f = await fixture("models_reddipalli22");
  const salt = (f.get("vae.salt")!.data as Int32Array)[0];
  const model = new Reddipalli22Vae({ latentDim: 128, dropRate: 0 });
  fillModel(model, salt);
  const x = fixtureInput();
  const eps = upstream([2, 128], 21);
  const out = model.forward(x, { eps });
  deepStrictEqual(out.recon.shape, [2, 1, 95, 79]);
  const loss = tidy(() =>
    add(
      add(
        sum(mul(out.recon, upstream(out.recon.shape, 22))),
        sum(mul(out.mu!, upstream([2, 128], 23))),
      ),
      sum(mul(out.logvar!, upstream([2, 128], 24))),
    )
  );
  loss.backward();
  for (const k of ["recon", "mu", "logvar"] as const) {
    const ref = f.get(`vae.${k}`)!;
    assertClose(await out[k]!.toArray() as Float32Array, ref.data as Float32Array, {
      scaleTol: 1e-3,
      name: k,
    });
  }
  const n = await assertGradsMatch(f, "vae", model);
  strictEqual(n, model.parameters().length);
  for (const t of [eps, loss, out.recon, out.mu!, out.logvar!]) t.dispose();

  // Eval mode with running statistics: the corrected model decodes μ.
  fillModel(model, salt); // the training pass moved the running statistics
  model.eval();
  const rec = noGrad(() => model.reconstruct(x));
  const ref = toTensor(f.get("vae.eval_recon")!);
  assertClose(await rec.toArray() as Float32Array, await ref.toArray() as Float32Array, {
    scaleTol: 1e-3,
    name: "eval recon",
  });
  rec.dispose();
  ref.dispose();
  x.dispose();
  model.dispose();
});

test("reddipalli22-vae: faithful samples z at test time, corrected does not", async () => {
  const x = fixtureInput();
  const run = async (mode: "faithful" | "corrected") => {
    const m = new Reddipalli22Vae({ mode, widthMultiplier: 0.25, latentDim: 32 });
    fillModel(m, 5);
    m.eval();
    const a = noGrad(() => m.reconstruct(x)), b = noGrad(() => m.reconstruct(x));
    const [va, vb] = [await a.toArray(), await b.toArray()] as Float32Array[];
    a.dispose();
    b.dispose();
    m.dispose();
    let diff = 0;
    for (let i = 0; i < va.length; i++) diff = Math.max(diff, Math.abs(va[i] - vb[i]));
    return diff;
  };
  ok((await run("faithful")) > 1e-4, "faithful reconstructions differ between calls");
  strictEqual(await run("corrected"), 0);
  x.dispose();
});

test("createModel: unknown names, modes, options and sizes are one-line errors", () => {
  throws(
    () => createModel("reddipalli22-vea"),
    /unknown model 'reddipalli22-vea' \(known: .*reddipalli22-vae/,
  );
  throws(
    () => createModel("reddipalli22-vae", { mode: "exact" }),
    /mode must be "faithful" or "corrected"/,
  );
  throws(
    () => createModel("reddipalli22-vae", { latentDim: 300 }),
    /latentDim must be an integer in \[32, 256\]/,
  );
  throws(() => createModel("reddipalli22-vae", { latentdim: 64 }), /unknown option 'latentdim'/);
  throws(() => createModel("reddipalli22-vae", { widthMultiplier: 0 }), /widthMultiplier/);
});
