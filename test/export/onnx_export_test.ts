// ONNX export (src/export/) against onnxruntime (test/export/_onnx_check.ts): the VAE, the
// second study's EMA VQGAN in both modes and the VQ-VAE at tiny widths give neurad's eval-mode
// reconstruction within 1e-4 and the very code indices (the first study's VQGAN, with attention
// and GroupNorm, is checked in test/heavy/onnx_export_vqgan_test.ts); `neurad export --format
// onnx` writes a run's network that onnxruntime runs to openRun's reconstruction; a model without
// an image-to-reconstruction map (the DCGAN) is refused in one line.

import { ok, rejects, strictEqual } from "node:assert";
import { noGrad } from "../../src/core/autograd.ts";
import { tidy } from "../../src/core/scope.ts";
import { UserError } from "../../src/core/errors.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import { onnxOfModel } from "../../src/export/export_onnx.ts";
import { main } from "../../src/cli/main.ts";
import type { HostTensor } from "../../src/io/safetensors.ts";
import { addModuleState, writeCheckpoint } from "../../src/train/checkpoint_file.ts";
import { openRun } from "../../src/train/open_run.ts";
import { hostRandom, setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import {
  type AnyModel,
  checkOnnxCase,
  type OnnxCase,
  randomizeNorms,
  runOrt,
  TOL,
} from "./_onnx_check.ts";

const CASES: OnnxCase[] = [
  {
    name: "reddipalli22-vae",
    options: { mode: "corrected", widthMultiplier: 0.125, latentDim: 32 },
  },
  {
    name: "chandru25-vqgan",
    options: { mode: "corrected", widthMultiplier: 1 / 16, numCodes: 16, imageSize: 16 },
    latents: (m: AnyModel, x) => m.encoder.forward(x),
    codebook: (m: AnyModel) => m.quantizer.weight,
    otherSize: [24, 20],
  },
  {
    name: "chandru25-vqgan",
    options: { mode: "faithful", widthMultiplier: 1 / 16, numCodes: 16, imageSize: 16 },
    latents: (m: AnyModel, x) => m.encoder.forward(x),
    codebook: (m: AnyModel) => m.quantizer.weight,
  },
  {
    name: "reddipalli22-vqvae",
    options: { mode: "faithful", widthMultiplier: 0.125, embedDim: 32, numCodes: 32 },
    latents: (m: AnyModel, x) => m.pre_vq_conv.forward(m.encoder.forward(x)),
    codebook: (m: AnyModel) => m.vq_vae.weight,
  },
];

for (const c of CASES) {
  Deno.test(
    `onnxOfModel(): ${c.name} (${c.options.mode}) matches onnxruntime within ${TOL}`,
    () => checkOnnxCase(c),
  );
}

Deno.test("onnxOfModel(): faithful VAE exports the decoding of μ and says so", async () => {
  await setup();
  const m = createModel<Module & Autoencoder>("reddipalli22-vae", {
    mode: "faithful",
    widthMultiplier: 0.125,
    latentDim: 32,
  }) as AnyModel;
  try {
    randomizeNorms(m, 2);
    m.eval();
    const { bytes, notes } = await onnxOfModel(m, "reddipalli22-vae");
    ok(notes.length === 1 && notes[0].includes("decodes z = μ"), notes.join("; "));
    const image = hostRandom(95 * 79, 4);
    const x = Tensor.from(image, [1, 1, 95, 79]);
    const y = noGrad(() => tidy(() => m.decode(m.encode(x).mu)));
    const want = (await y.toArray()) as Float32Array;
    y.dispose();
    x.dispose();
    const got = (await runOrt(bytes, image, [1, 1, 95, 79])).reconstruction.data as Float32Array;
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    ok(err <= TOL, `max abs error ${err}`);
  } finally {
    m.dispose();
  }
});

Deno.test("onnxOfModel(): chandru25-dcgan (no image-to-reconstruction map) is refused in one line", async () => {
  await setup();
  const m = createModel<Module & Autoencoder>("chandru25-dcgan", { widthMultiplier: 1 / 16 });
  try {
    await rejects(onnxOfModel(m, "chandru25-dcgan"), (e) => {
      ok(e instanceof UserError && !e.message.includes("\n"), String(e));
      ok(/chandru25-dcgan reconstructs nothing from the image/.test(e.message), e.message);
      return true;
    });
  } finally {
    m.dispose();
  }
});

Deno.test("neurad export --run RUN --format onnx: onnxruntime gives openRun's reconstruction", async () => {
  await setup();
  const dir = await tempDir();
  const MODEL = { name: "reddipalli22-vae", options: { widthMultiplier: 0.125, latentDim: 32 } };
  await Deno.mkdir(`${dir}/checkpoints`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify({
      preset: "t",
      mode: "corrected",
      model: MODEL,
      data: { sliceShape: [1, 95, 79] },
    }),
  );
  const m = createModel<Module & Autoencoder>(MODEL.name, MODEL.options);
  randomizeNorms(m, 4);
  const tensors = new Map<string, HostTensor>();
  await addModuleState(tensors, m, "model.");
  m.dispose();
  await writeCheckpoint(`${dir}/checkpoints/last`, tensors, {
    format: "neurad-checkpoint-1",
    model: MODEL.name,
    step: 3,
    epoch: 0,
    batchInEpoch: 0,
    rng: {},
    dataHash: "x",
    neuradVersion: "test",
  });
  const out = `${await tempDir()}/vae.onnx`; // the extension picks the format too
  const log: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => log.push(a.join(" "));
  try {
    strictEqual(await main(["export", "--run", dir, "--out", out]), 0);
  } finally {
    console.log = orig;
  }
  ok(log[0].startsWith(`wrote ${out}`) && log[0].includes("ONNX opset 17"), log.join("\n"));
  const image = hostRandom(95 * 79, 9).map((v) => 0.5 + 0.5 * v);
  const run = await openRun(dir);
  const x = Tensor.from(image, [1, 1, 95, 79]);
  const y = noGrad(() => run.model.reconstruct(x));
  const want = (await y.toArray()) as Float32Array;
  y.dispose();
  x.dispose();
  run.model.dispose();
  const got = (await runOrt(await Deno.readFile(out), image, [1, 1, 95, 79])).reconstruction
    .data as Float32Array;
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
  ok(err <= TOL, `max abs error ${err}`);
});
