// matmul over every operand layout (A and B each row-major or stored transposed, as the backward
// pass and attention read them): the vec4 kernel where the contiguous axes are multiples of 4,
// strided scalar loads otherwise, against a naive loop; batched with a broadcast operand; and
// which kernel each layout gets.

import { strictEqual } from "node:assert";
import * as nd from "../../src/mod.ts";
import { _mm2d, kernelFor, matmulTransposed } from "../../src/kernels/matmul.ts";
import { assertClose, hostRandom, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** C = op(A)·op(B) from stored a ([M, K] or [K, M]) and b ([K, N] or [N, K]). */
function naive(
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
  tA: boolean,
  tB: boolean,
) {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
      }
      c[i * N + j] = s;
    }
  }
  return c;
}

const shapes = [[64, 64, 64], [68, 36, 132], [95, 79, 33], [4, 8, 4], [1, 4, 4], [3, 17, 5]];
for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
  for (const variant of ["tiled", "tiled-scalar"] as const) {
    Deno.test({
      ...opts,
      name: `matmul ${tA ? "Aᵀ" : "A"}·${tB ? "Bᵀ" : "B"} (${variant}) matches a naive loop`,
      async fn() {
        await setup();
        for (const [M, K, N] of shapes) {
          const a = hostRandom(M * K, M * 3 + K), b = hostRandom(K * N, K + N * 5);
          const ta = nd.Tensor.from(a, tA ? [K, M] : [M, K]);
          const tb = nd.Tensor.from(b, tB ? [N, K] : [K, N]);
          const c = _mm2d(ta, tb, variant, { transposeA: tA, transposeB: tB });
          assertClose(await c.toArray(), naive(a, b, M, K, N, tA, tB), {
            atol: 1e-5,
            rtol: 1e-5,
            name: `${M}×${K}×${N}`,
          });
          for (const t of [ta, tb, c]) t.dispose();
        }
      },
    });
  }
}

Deno.test({
  ...opts,
  name: "batched qᵀk and attnᵀ with a broadcast operand take the vec4 kernel and match",
  async fn() {
    await setup();
    const [Bn, C, P] = [3, 8, 20]; // [batch, channels, positions], as AttnBlock
    const q = hostRandom(Bn * C * P, 1), k = hostRandom(C * P, 2);
    const tq = nd.Tensor.from(q, [Bn, C, P]), tk = nd.Tensor.from(k, [C, P]);
    const w = matmulTransposed(tq, tk, { transposeA: true }); // [B, P, P] = qᵀ·k, k broadcast
    const host = await w.toArray();
    for (let bi = 0; bi < Bn; bi++) {
      const want = naive(q.subarray(bi * C * P, (bi + 1) * C * P), k, P, C, P, true, false);
      assertClose(host.subarray(bi * P * P, (bi + 1) * P * P), want, {
        atol: 1e-5,
        name: `b${bi}`,
      });
    }
    for (const t of [tq, tk, w]) t.dispose();
  },
});

Deno.test("kernelFor: vec4 when each operand's contiguous axis is a multiple of 4", () => {
  const name = (tA: boolean, tB: boolean, M: number, N: number, K: number) =>
    kernelFor("tiled", { transposed: tA }, { transposed: tB }, M, N, K).name;
  strictEqual(name(false, false, 3, 8, 4), "matmul_tiled_vec4");
  strictEqual(name(true, false, 4, 8, 3), "matmul_tiled_vec4"); // Aᵀ: M contiguous
  strictEqual(name(false, true, 3, 5, 8), "matmul_tiled_vec4"); // Bᵀ: K contiguous
  strictEqual(name(true, true, 8, 3, 4), "matmul_tiled_vec4");
  strictEqual(name(true, false, 3, 8, 4), "matmul_tiled"); // Aᵀ with M = 3
  strictEqual(name(false, true, 4, 4, 6), "matmul_tiled"); // Bᵀ with K = 6
  strictEqual(
    kernelFor("tiled-scalar", { transposed: false }, { transposed: false }, 4, 4, 4).name,
    "matmul_tiled",
  );
});
