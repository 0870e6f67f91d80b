// VectorQuantizer against PyTorch fixtures (tools/fixtures/vq_fixtures.py: z_q, loss, indices,
// usage, perplexity, straight-through and codebook gradients), a finite-difference gradcheck of
// the loss, TypeScript references of both EMA rules, dead-code restarts, codebook inits, leaks.

import { deepStrictEqual as assertEquals, throws } from "node:assert";
import { add, memoryStats, mul, sum, Tensor, tidy } from "../../src/mod.ts";
import {
  type CodebookUpdate,
  VectorQuantizer,
  type VectorQuantizerOptions,
} from "../../src/nn/vector_quantizer.ts";
import {
  assertClose,
  assertNoLeak,
  fixture,
  gradcheck,
  hostRandom,
  setup,
  toTensor,
} from "../helpers.ts";

const T = { sanitizeResources: false, sanitizeOps: false };

function quantizer(o: VectorQuantizerOptions, codes?: Float32Array): VectorQuantizer {
  const vq = new VectorQuantizer(o);
  if (codes) {
    const t = Tensor.from(codes, [o.numCodes, o.codeDim]);
    vq.setCodebook(t);
    t.dispose();
  }
  return vq;
}

/** NCHW [B, D, H, W] → host rows [B·H·W][D]. */
function rowsOf(z: Float32Array, [B, D, H, W]: number[]): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        rows.push(Float32Array.from({ length: D }, (_, c) => z[((b * D + c) * H + h) * W + w]));
      }
    }
  }
  return rows;
}

function hostNearest(rows: Float32Array[], codes: Float64Array, D: number): number[] {
  return rows.map((r) => {
    let best = 0, bestD = Infinity;
    for (let k = 0; k < codes.length / D; k++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += (r[d] - codes[k * D + d]) ** 2;
      if (s < bestD) [best, bestD] = [k, s];
    }
    return best;
  });
}

for (const name of ["small", "odd", "wide"]) {
  Deno.test({
    ...T,
    name: `VectorQuantizer matches PyTorch (${name}): z_q, loss, indices, perplexity, gradients`,
    async fn() {
      await setup();
      const f = await fixture("vq");
      const h = (k: string) => f.get(`${name}.${k}`)!;
      const [K, D] = h("codebook").shape;
      const vq = quantizer({ numCodes: K, codeDim: D, beta: (h("beta").data as Float32Array)[0] });
      const codebook = toTensor(h("codebook"));
      vq.loadStateDict(new Map([["embedding.weight", codebook]])); // copies
      codebook.dispose();
      const z = toTensor(h("z"), true);
      const gout = toTensor(h("gout"));
      const out = vq.forward(z);
      const objective = tidy(() => add(sum(mul(out.zq, gout)), out.loss));
      objective.backward();
      assertEquals(await out.indices.toArray(), h("indices").data);
      assertClose(await out.zq.toArray(), h("zq").data, { name: "zq" });
      assertClose(await out.loss.toArray(), h("loss").data, { name: "loss" });
      assertEquals(await out.usage.toArray(), h("usage").data);
      assertClose(await out.perplexity.toArray(), h("perplexity").data, { name: "perplexity" });
      assertClose(await z.grad!.toArray(), h("grad_z").data, { name: "grad z" });
      assertClose(await vq.weight.grad!.toArray(), h("grad_codebook").data, {
        name: "grad codebook",
      });
      for (const t of [z, gout, objective, ...Object.values(out)]) t.dispose();
      vq.dispose();
    },
  });
}

Deno.test({
  ...T,
  name:
    "VectorQuantizer loss terms' gradients (codebook in e, commitment in z_e) match finite differences",
  async fn() {
    await setup();
    // Stop-gradients make the summed loss's gradient differ from its derivative by design, so
    // each term is checked where it is the only one moving: β = 0 leaves the codebook term as
    // a function of e; an EMA quantiser's loss is β·commitment, a function of z_e.
    const K = 4, D = 3, shape = [2, D, 2, 1];
    // Codes far apart relative to eps·|d| keep every argmin fixed under the perturbations.
    const codes = Float32Array.from([-2, 0, 0, 2, 0, 0, 0, 2, 0, 0, -2, 2]);
    const zData = hostRandom(2 * D * 2, 71);
    const lossOf = (vq: VectorQuantizer, z: Tensor) => {
      const o = vq.forward(z);
      for (const t of [o.zq, o.indices, o.usage, o.perplexity]) t.dispose();
      return o.loss;
    };
    const byCodebook = new VectorQuantizer({ numCodes: K, codeDim: D, beta: 0 }).eval();
    const z = Tensor.from(zData, shape);
    await gradcheck((w) => {
      // assign: w becomes the parameter (gradients land in it) and the previous one is freed.
      byCodebook.loadStateDict(new Map([["embedding.weight", w]]), { assign: true });
      return lossOf(byCodebook, z);
    }, [{ data: codes, shape: [K, D] }]);
    const byLatents = quantizer({ numCodes: K, codeDim: D, beta: 0.4, update: "ema" }, codes)
      .eval();
    await gradcheck((zz) => lossOf(byLatents, zz), [{ data: zData, shape }]);
    for (const m of [byCodebook, byLatents]) m.dispose();
    z.dispose();
  },
});

/** Host model of one training step of the EMA rules (codebook_ema.ts), in float64. */
function hostEmaStep(
  mode: CodebookUpdate,
  state: { w: Float64Array; cs: Float64Array; ea: Float64Array },
  rows: Float32Array[],
  K: number,
  D: number,
  decay: number,
  eps: number,
) {
  const idx = hostNearest(rows, state.w, D);
  const counts = new Float64Array(K), sums = new Float64Array(K * D);
  idx.forEach((k, n) => {
    counts[k]++;
    for (let d = 0; d < D; d++) sums[k * D + d] += rows[n][d];
  });
  let commitment = 0;
  idx.forEach((k, n) => {
    for (let d = 0; d < D; d++) commitment += (rows[n][d] - state.w[k * D + d]) ** 2;
  });
  commitment /= rows.length * D;
  if (mode === "ema") {
    for (let k = 0; k < K; k++) state.cs[k] = decay * state.cs[k] + (1 - decay) * counts[k];
    for (let i = 0; i < K * D; i++) state.ea[i] = decay * state.ea[i] + (1 - decay) * sums[i];
    const n = state.cs.reduce((a, b) => a + b, 0);
    for (let k = 0; k < K; k++) {
      const smoothed = (state.cs[k] + eps) / (n + K * eps) * n;
      for (let d = 0; d < D; d++) state.w[k * D + d] = state.ea[k * D + d] / smoothed;
    }
  } else {
    for (let k = 0; k < K; k++) {
      if (!counts[k]) continue;
      for (let d = 0; d < D; d++) {
        const m = sums[k * D + d] / counts[k];
        state.w[k * D + d] += (1 - decay) * (m - state.w[k * D + d]);
      }
    }
  }
  return { idx, counts, commitment };
}

for (const mode of ["ema", "ema-direct"] as const) {
  Deno.test({
    ...T,
    name: `VectorQuantizer "${mode}" updates match a TypeScript reference over three steps`,
    async fn() {
      await setup();
      const K = 6, D = 3, shape = [2, D, 2, 3], decay = 0.8, eps = 0.05, beta = 0.25;
      // Codes 0-4 near the data, code 5 far away (never used: tests the unused-code path).
      const codes = hostRandom(K * D, 81).map((v, i) => (i >= 5 * D ? 9 + v : v));
      const vq = quantizer(
        { numCodes: K, codeDim: D, update: mode, decay, epsilon: eps, beta },
        codes,
      );
      const state = {
        w: Float64Array.from(codes),
        cs: new Float64Array(K).fill(1),
        ea: Float64Array.from(codes),
      };
      for (let step = 0; step < 3; step++) {
        const zh = hostRandom(2 * D * 2 * 3, 90 + step);
        const ref = hostEmaStep(mode, state, rowsOf(zh, shape), K, D, decay, eps);
        const z = Tensor.from(zh, shape, { requiresGrad: true });
        const out = vq.forward(z);
        assertEquals([...await out.indices.toArray()], ref.idx, `step ${step} indices`);
        assertEquals([...await out.usage.toArray()], [...ref.counts]);
        assertClose(await out.loss.toArray(), [beta * ref.commitment], { name: "loss" });
        out.loss.backward();
        assertEquals(vq.weight.grad, null); // EMA codebooks take no gradient
        assertClose(await vq.weight.toArray(), state.w, { name: `step ${step} weight` });
        if (mode === "ema") {
          const sd = vq.stateDict();
          assertClose(await sd.get("embedding.cluster_size")!.toArray(), state.cs, {
            name: "cluster_size",
          });
          assertClose(await sd.get("embedding.embed_avg")!.toArray(), state.ea, {
            name: "embed_avg",
          });
        }
        for (const t of [z, ...Object.values(out)]) t.dispose();
      }
      vq.dispose();
    },
  });
}

for (const mode of ["loss", "ema"] as const) {
  Deno.test({
    ...T,
    name: `VectorQuantizer (${mode}) restarts codes unused for deadCodeSteps steps from the batch`,
    async fn() {
      await setup();
      const K = 8, D = 4, shape = [1, D, 3, 4], steps = 2;
      // Codes 0 and 1 sit on the data; codes 2..7 are far away and never chosen.
      const codes = hostRandom(K * D, 101).map((v, i) => (i < 2 * D ? 0.1 * v : 50 + v));
      const vq = quantizer({ numCodes: K, codeDim: D, update: mode, deadCodeSteps: steps }, codes);
      for (let step = 1; step <= steps; step++) {
        const zh = hostRandom(D * 12, 110 + step).map((v) => 0.2 * v);
        const z = Tensor.from(zh, shape);
        const out = vq.forward(z);
        const w = await vq.weight.toArray();
        const unused = await vq.stateDict().get("unused_steps")!.toArray();
        const rows = rowsOf(zh, shape);
        const used = await out.usage.toArray();
        for (let k = 2; k < K; k++) {
          const code = w.subarray(k * D, (k + 1) * D);
          if (step < steps) {
            assertEquals(unused[k], step);
            assertClose(code, codes.subarray(k * D, (k + 1) * D), { name: `code ${k} kept` });
          } else {
            assertEquals(unused[k], 0);
            if (!rows.some((r) => r.every((v, d) => v === code[d]))) {
              throw new Error(`restarted code ${k} (${code}) is not a row of the batch`);
            }
          }
        }
        for (let k = 0; k < 2; k++) assertEquals(unused[k], used[k] > 0 ? 0 : step);
        if (mode === "ema" && step === steps) {
          const cs = await vq.stateDict().get("embedding.cluster_size")!.toArray();
          const ea = await vq.stateDict().get("embedding.embed_avg")!.toArray();
          assertEquals([...cs.subarray(2)], [1, 1, 1, 1, 1, 1]);
          assertEquals(ea.subarray(2 * D), w.subarray(2 * D));
        }
        for (const t of [z, ...Object.values(out)]) t.dispose();
      }
      vq.dispose();
    },
  });
}

Deno.test({
  ...T,
  name: "VectorQuantizer inits: uniform(−1/K, 1/K); k-means++ picks one batch row per cluster",
  async fn() {
    await setup();
    const K = 4, D = 5;
    const u = new VectorQuantizer({ numCodes: 64, codeDim: D });
    const w = await u.weight.toArray();
    if (w.some((v) => Math.abs(v) > 1 / 64) || new Set(w).size < w.length / 2) {
      throw new Error("uniform init out of range or degenerate");
    }
    u.dispose();
    // Four tight clusters far apart: D²-sampling takes one code from each.
    const shape = [2, D, 4, 5];
    const centres = hostRandom(K * D, 121).map((v) => 20 * v);
    const rows = 2 * 4 * 5;
    const zh = new Float32Array(rows * D);
    const noise = hostRandom(rows * D, 122);
    const rowCluster: number[] = [];
    for (let b = 0; b < 2; b++) {
      for (let p = 0; p < 20; p++) {
        const c = (b * 20 + p) % K;
        rowCluster.push(c);
        for (let d = 0; d < D; d++) {
          zh[(b * D + d) * 20 + p] = centres[c * D + d] + 0.05 * noise[(b * 20 + p) * D + d];
        }
      }
    }
    const z = Tensor.from(zh, shape);
    const codesOf = async (seed: number) => {
      const vq = new VectorQuantizer({ numCodes: K, codeDim: D, init: "kmeans++", seed });
      throws(() => vq.forward(z), /initFromBatch/);
      await vq.initFromBatch(z);
      const c = await vq.weight.toArray();
      vq.dispose();
      return c;
    };
    const c = await codesOf(5);
    assertEquals(await codesOf(5), c);
    const hostRows = rowsOf(zh, shape);
    const clusters = new Set<number>();
    for (let k = 0; k < K; k++) {
      const n = hostRows.findIndex((r) => r.every((v, d) => v === c[k * D + d]));
      if (n < 0) throw new Error(`k-means++ code ${k} is not a batch row`);
      clusters.add(rowCluster[n]);
    }
    assertEquals(clusters.size, K);
    z.dispose();
  },
});

Deno.test({
  ...T,
  name: "VectorQuantizer training steps (EMA, dead codes, backward) free what they allocate",
  async fn() {
    await setup();
    const vq = new VectorQuantizer({ numCodes: 16, codeDim: 8, update: "ema", deadCodeSteps: 1 });
    const z = Tensor.from(hostRandom(2 * 8 * 3 * 3, 131), [2, 8, 3, 3], { requiresGrad: true });
    const step = async () => {
      const out = vq.forward(z);
      const objective = tidy(() => add(sum(out.zq), out.loss));
      objective.backward();
      objective.dispose();
      await out.perplexity.toArray();
      z.grad!.dispose();
      z.grad = null;
      for (const t of Object.values(out)) t.dispose();
    };
    await step();
    const before = memoryStats().liveBuffers;
    await assertNoLeak("VectorQuantizer step", async () => {
      for (let i = 0; i < 3; i++) await step();
    });
    assertEquals(memoryStats().liveBuffers, before);
    z.dispose();
    vq.dispose();
  },
});
