// Shared by the ONNX export tests (onnx_export_test.ts, test/heavy/onnx_export_vqgan_test.ts):
// onnxruntime-web 1.31.1 (wasm EP, a pinned devDependency) run on an exported model, and one
// check per model: tiny width, non-trivial BatchNorm statistics and affine parameters, a codebook
// placed among the encoder's latents so that many codes are used, the export compared with
// neurad's eval-mode forward on the same input (reconstruction within TOL, code indices equal).

import { deepStrictEqual, ok } from "node:assert";
import * as ort from "onnxruntime-web/wasm";
import { noGrad } from "../../src/core/autograd.ts";
import { tidy } from "../../src/core/scope.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { copy_ } from "../../src/kernels/copy.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import { onnxOfModel } from "../../src/export/export_onnx.ts";
import { hostRandom, setup } from "../helpers.ts";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

/** The agreement required of onnxruntime and neurad (max abs difference). */
export const TOL = 1e-4;

/** onnxruntime's outputs for input `image`. */
export async function runOrt(
  bytes: Uint8Array,
  image: Float32Array,
  shape: number[],
): Promise<Record<string, { data: Float32Array | BigInt64Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  try {
    const out = await session.run({ image: new ort.Tensor("float32", image, shape) });
    return Object.fromEntries(
      Object.entries(out).map(([k, t]) => [k, {
        data: t.data as Float32Array | BigInt64Array,
        dims: t.dims,
      }]),
    );
  } finally {
    await session.release();
  }
}

/** Random BatchNorm statistics and affine parameters, so the export's use of them is tested. */
export function randomizeNorms(m: Module, seed: number) {
  const state = new Map<string, Tensor>();
  let s = seed;
  for (const [k, t] of m.stateDict()) {
    const r = hostRandom(t.size, s++);
    if (k.endsWith("running_mean")) state.set(k, Tensor.from(r.map((v) => 0.2 * v), t.shape));
    else if (k.endsWith("running_var")) {
      state.set(k, Tensor.from(r.map((v) => 0.6 + 0.4 * v), t.shape));
    } else if (t.ndim === 1 && /\.(weight|bias)$/.test(k)) {
      // Norm scales around 1, shifts and conv/linear biases around 0.
      state.set(k, Tensor.from(r.map((v) => (k.endsWith("weight") ? 1 : 0) + 0.3 * v), t.shape));
    }
  }
  m.loadStateDict(state, { strict: false });
  for (const t of state.values()) t.dispose();
}

/** Sets the codebook from latents of `x` plus noise, so many codes are nearest somewhere. */
async function codebookFromLatents(codebook: Tensor, latents: Tensor, seed: number) {
  const [K, D] = codebook.shape;
  const [B, , h, w] = latents.shape;
  const z = (await latents.toArray()) as Float32Array; // [B, D, h, w]
  const noise = hostRandom(K * D, seed);
  const rows = new Float32Array(K * D);
  for (let k = 0; k < K; k++) {
    const p = (k * 7) % (B * h * w), b = Math.floor(p / (h * w)), yx = p % (h * w);
    for (let d = 0; d < D; d++) {
      const v = z[(b * D + d) * h * w + yx];
      rows[k * D + d] = v + 0.05 * (Math.abs(v) + 0.1) * noise[k * D + d];
    }
  }
  const t = Tensor.from(rows, [K, D]);
  noGrad(() => copy_(codebook, t));
  t.dispose();
}

export interface OnnxCase {
  name: string;
  options: Record<string, unknown>;
  /** The VQ models' encoder output (latents), to place the codebook. */
  latents?: (m: Autoencoder, x: Tensor) => Tensor;
  codebook?: (m: Autoencoder) => Tensor;
  /** Fully convolutional models: also an image of this H × W (the graph's H, W are free). */
  otherSize?: [number, number];
}

// deno-lint-ignore no-explicit-any
export type AnyModel = any;

/** Exports case `c`, runs onnxruntime and neurad on the same input and compares them. */
export async function checkOnnxCase(c: OnnxCase): Promise<void> {
  const label = `${c.name} (${c.options.mode})`;
  await setup();
  const m = createModel<Module & Autoencoder>(c.name, c.options);
  try {
    randomizeNorms(m, 11);
    m.eval();
    const [C, H, W] = m.inputShape;
    const shape = [2, C, H, W];
    const image = hostRandom(2 * C * H * W, 5);
    const x = Tensor.from(image, shape);
    try {
      if (c.latents && c.codebook) {
        const z = noGrad(() => tidy(() => c.latents!(m, x)));
        await codebookFromLatents(c.codebook(m), z, 3);
        z.dispose();
      }
      // Export before the forward: faithful chandru25-vqgan moves its codebook in eval too.
      const { bytes } = await onnxOfModel(m, c.name);
      const out = noGrad(() => m.forward(x));
      const recon = (await out.recon.toArray()) as Float32Array;
      const indices = out.indices ? Array.from(await out.indices.toArray() as Int32Array) : null;
      for (const t of Object.values(out)) (t as Tensor | undefined)?.dispose();
      const r = await runOrt(bytes, image, shape);
      deepStrictEqual(r.reconstruction.dims, shape);
      let err = 0;
      const y = r.reconstruction.data as Float32Array;
      for (let i = 0; i < recon.length; i++) err = Math.max(err, Math.abs(y[i] - recon[i]));
      let codes = "";
      if (indices) {
        const got = Array.from(r.codes.data as BigInt64Array, Number);
        deepStrictEqual(got, indices, "code indices");
        const used = new Set(indices).size;
        ok(used >= 4, `only ${used} codes used: the nearest-code check would be weak`);
        codes = `, ${indices.length} code indices equal (${used} distinct codes)`;
      }
      console.log(`  ${label}: max |onnxruntime − neurad| = ${err.toExponential(2)}${codes}`);
      ok(err <= TOL, `max abs error ${err}`);
      ok(Math.max(...recon.map(Math.abs)) > 1e-3, "reconstruction not trivially zero");
      if (c.otherSize) {
        const [h, w] = c.otherSize;
        const other = hostRandom(C * h * w, 8);
        const x2 = Tensor.from(other, [1, C, h, w]);
        const o2 = noGrad(() => m.forward(x2));
        const want = (await o2.recon.toArray()) as Float32Array;
        const wantCodes = Array.from(await o2.indices!.toArray() as Int32Array);
        for (const t of Object.values(o2)) (t as Tensor | undefined)?.dispose();
        x2.dispose();
        const r2 = await runOrt(bytes, other, [1, C, h, w]);
        deepStrictEqual(r2.reconstruction.dims, [1, C, h, w]);
        deepStrictEqual(Array.from(r2.codes.data as BigInt64Array, Number), wantCodes);
        let e2 = 0;
        const y2 = r2.reconstruction.data as Float32Array;
        for (let i = 0; i < want.length; i++) e2 = Math.max(e2, Math.abs(y2[i] - want[i]));
        console.log(`  ${label} at ${h}×${w}: max |onnxruntime − neurad| = ${e2.toExponential(2)}`);
        ok(e2 <= TOL, `max abs error at ${h}×${w}: ${e2}`);
      }
    } finally {
      x.dispose();
    }
  } finally {
    m.dispose();
  }
}
