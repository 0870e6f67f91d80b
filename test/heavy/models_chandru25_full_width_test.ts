// Full-width second-study models (heavy: seconds per image on llvmpipe, run by
// `deno task test-heavy`): the EMA VQGAN in both modes against PyTorch at full width (1,024 codes
// of 256 dims, where nearest-code search runs past llvmpipe's loop limit unless the codebook is
// split): one training pass of a 1×3×64×64 image, its code indices exactly, the reconstruction,
// the VQ loss, the codebook after the EMA step and every parameter's gradient
// (tools/fixtures/chandru25_full_width_fixtures.py; the codebook is built from the encoder's own
// output so that no two codes nearly tie); then a step at 2×3×64×64 and a 1×3×128×128 test image
// with finite outputs in [−1, 1] and a finite codebook; the patch discriminator gives finite
// 13×13 logits; the DCGAN generator finite 64×64 images. The reduced-width PyTorch comparisons
// are in test/models/models_chandru25_test.ts.

import { ok } from "node:assert";
import { deepStrictEqual as assertEquals } from "node:assert";
import { add, mul, noGrad, rand, randn, sum, Tensor, tidy } from "../../src/mod.ts";
import {
  Chandru25Dcgan,
  Chandru25Discriminator,
  Chandru25Vqgan,
} from "../../src/models/chandru25/registry.ts";
import { assertClose, fixture, setup } from "../helpers.ts";
import { fillValue, fnv1a, hostRandom } from "../models/_model_fixtures.ts";
import type { HostTensor } from "../../src/io/safetensors.ts";

const T = { sanitizeResources: false, sanitizeOps: false };

async function finite(t: { toArray(): Promise<unknown> }, bound = Infinity) {
  const a = await t.toArray() as Float32Array;
  return a.every((v) => Number.isFinite(v) && Math.abs(v) <= bound);
}

const [H, K, SIZE] = [256, 1024, 64];

/** The model's state filled as the fixture script's fill_model, with the codebook if given. */
function filledState(m: Chandru25Vqgan, salt: number, codebook?: Float32Array) {
  const state = new Map<string, Tensor>();
  for (const [k, t] of m.stateDict()) {
    if (t.dtype !== "f32") continue;
    let v = fillValue(k, t.shape, salt);
    if (codebook && /^quantizer\.embedding\.(weight|embed_avg)$/.test(k)) v = codebook;
    if (codebook && k === "quantizer.embedding.cluster_size") v = new Float32Array(K).fill(1);
    state.set(k, Tensor.from(v, t.shape));
  }
  return state;
}

function load(m: Chandru25Vqgan, state: Map<string, Tensor>) {
  m.loadStateDict(state, { allowMissingNumBatchesTracked: true });
  for (const t of state.values()) t.dispose();
}

/** Code j·256 + n = z_n + s(j, n)·ν (the fixture script's codebook_from), in float32. */
function codebookFrom(z: Float32Array): Float32Array {
  const hw = z.length / H; // z is [1, H, 16, 16]: row n of the codebook source is z[:, n]
  const nu = hostRandom(K * H, 3);
  const c = new Float32Array(K * H);
  for (let k = 0; k < K; k++) {
    const j = Math.floor(k / hw), n = k % hw;
    const s = Math.fround(0.05 * (1 + ((j + n) % 4)));
    for (let d = 0; d < H; d++) c[k * H + d] = z[d * hw + n] + Math.fround(s * nu[k * H + d]);
  }
  return c;
}

/**
 * Values against a `<prefix>.{idx,val,proj,norm,absmax}` summary: the projection and the norm
 * within 1e-3, the sampled values within `sampledTol` of the largest |value|.
 */
function assertSummary(
  v: Float32Array,
  f: Map<string, HostTensor>,
  prefix: string,
  key: string,
  sampledTol: number,
) {
  const get = (s: string) => f.get(`${prefix}.${s}`)!.data;
  const norm = (get("norm") as Float32Array)[0], proj = (get("proj") as Float32Array)[0];
  const idx = get("idx") as Int32Array;
  assertClose(Array.from(idx, (i) => v[i]), get("val") as Float32Array, {
    scaleTol: sampledTol,
    floor: (get("absmax") as Float32Array)[0],
    name: prefix,
  });
  const d = hostRandom(v.length, (fnv1a(key) + 13) >>> 0);
  let dot = 0, dn = 0, vn = 0;
  for (let i = 0; i < v.length; i++) {
    dot += v[i] * d[i];
    dn += d[i] * d[i];
    vn += v[i] * v[i];
  }
  ok(Math.abs(dot - proj) <= 1e-3 * norm * Math.sqrt(dn), `${prefix}: projection ${dot}, ${proj}`);
  ok(Math.abs(Math.sqrt(vn) - norm) <= 1e-3 * norm, `${prefix}: norm ${Math.sqrt(vn)}, ${norm}`);
}

/**
 * Every parameter's gradient against `<mode>.grad.<key>.*`. At full width a few of the million
 * ReLU inputs lie within f32 rounding of 0 and take the other branch in one framework, which moves
 * single gradient elements next to them by up to 2 % of the tensor's largest (measured; PyTorch
 * float32 against float64 agrees to 1e-5): sampled values are compared within 5 %, and the
 * projection and norm, which average such elements out (4e-4 measured), within 1e-3. Gradients
 * that are zero in exact arithmetic (the conv biases before a training-mode BN) must be below
 * 1e-5 of the model's largest on both sides.
 */
async function assertGrads(f: Map<string, HostTensor>, mode: string, m: Chandru25Vqgan) {
  const absmax = (k: string) => (f.get(`${mode}.grad.${k}.absmax`)?.data as Float32Array)?.[0];
  const zeroBelow = 1e-5 * Math.max(...[...m.namedParameters()].map(([k]) => absmax(k) ?? 0));
  let compared = 0;
  for (const [k, p] of m.namedParameters()) {
    if (!f.has(`${mode}.grad.${k}.idx`)) {
      ok(p.grad === null, `${k}: neurad has a gradient, PyTorch none`);
      continue;
    }
    ok(p.grad, `${k}: no gradient (PyTorch has one)`);
    const g = await p.grad.toArray() as Float32Array;
    if (absmax(k) < zeroBelow) {
      ok(g.every((v) => Math.abs(v) < zeroBelow), `${k}: numerically zero in PyTorch, not here`);
    } else {
      assertSummary(g, f, `${mode}.grad.${k}`, k, 5e-2);
    }
    compared++;
  }
  return compared;
}

for (const mode of ["faithful", "corrected"] as const) {
  Deno.test({
    ...T,
    name: `chandru25-vqgan (${mode}) full width matches PyTorch: codes, outputs, gradients`,
    async fn() {
      await setup();
      const f = await fixture("chandru25_full_width");
      const salt = (f.get("salt")!.data as Int32Array)[0];
      const m = new Chandru25Vqgan({ mode });
      load(m, filledState(m, salt));
      const x = Tensor.from(hostRandom(3 * SIZE * SIZE, 1), [1, 3, SIZE, SIZE]);
      const gout = Tensor.from(hostRandom(3 * SIZE * SIZE, 2), [1, 3, SIZE, SIZE]);
      m.train();
      const z = noGrad(() => m.encoder.forward(x));
      const codebook = codebookFrom(await z.toArray() as Float32Array);
      z.dispose();
      load(m, filledState(m, salt, codebook)); // also undoes the BN statistics of that pass
      const out = m.forward(x);
      const objective = tidy(() => {
        const s = sum(mul(out.recon, gout));
        return out.vqLoss ? add(s, out.vqLoss) : s;
      });
      objective.backward();
      assertEquals(
        Array.from(await out.indices!.toArray() as Int32Array),
        Array.from(f.get(`${mode}.indices`)!.data as Int32Array),
      );
      assertClose(
        await out.recon.toArray() as Float32Array,
        f.get(`${mode}.recon`)!.data as Float32Array,
        {
          scaleTol: 1e-3,
          name: "recon",
        },
      );
      if (out.vqLoss) {
        assertClose([await out.vqLoss.item()], f.get(`${mode}.vq_loss`)!.data as Float32Array, {
          rtol: 1e-3,
          name: "vq loss",
        });
      }
      const codebookAfter = await m.quantizer.weight.toArray() as Float32Array;
      assertSummary(codebookAfter, f, `${mode}.codebook`, "quantizer.embedding.weight", 1e-3);
      const compared = await assertGrads(f, mode, m);
      ok(compared >= (mode === "faithful" ? 19 : 36), `${compared} gradients compared`);
      for (const t of [x, gout, objective, ...Object.values(out)]) t?.dispose();
      m.dispose();
    },
  });
}

for (const mode of ["faithful", "corrected"] as const) {
  Deno.test({
    ...T,
    name: `chandru25-vqgan (${mode}) full width: training step at 64 px, test image at 128 px`,
    async fn() {
      await setup();
      const m = new Chandru25Vqgan({ mode });
      const x = rand([2, 3, 64, 64]);
      const out = m.forward(x);
      const l = tidy(() => sum(out.recon));
      l.backward();
      ok(await finite(out.recon, 1), "training recon finite, in [−1, 1]");
      ok(await finite(m.quantizer.weight), "codebook finite after the EMA step");
      const dec = m.lastLayerWeight().grad;
      ok(dec && await finite(dec), "decoder gradient");
      m.eval();
      const r = m.reconstruct(rand([1, 3, 128, 128]));
      assertEquals(r.shape, [1, 3, 128, 128]);
      ok(await finite(r, 1), "test recon finite");
      m.dispose();
    },
  });
}

Deno.test({
  ...T,
  name: "chandru25 discriminator and DCGAN full width: finite outputs",
  async fn() {
    await setup();
    const d = new Chandru25Discriminator();
    const logits = d.forward(rand([2, 3, 64, 64]));
    assertEquals(logits.shape, [2, 1, 13, 13]);
    ok(await finite(logits));
    const g = new Chandru25Dcgan();
    const img = g.generate(randn([2, 100, 1, 1]));
    assertEquals(img.shape, [2, 3, 64, 64]);
    ok(await finite(img, 1));
    d.dispose();
    g.dispose();
  },
});
