// openRun: rebuilds the run's model from config.json and a checkpoint (eval mode, same weights),
// and answers missing/corrupt runs, truncated checkpoints and another model's checkpoint with
// one-line UserErrors.

import { deepStrictEqual, rejects } from "node:assert";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import type { HostTensor } from "../../src/io/safetensors.ts";
import { addModuleState, writeCheckpoint } from "../../src/train/checkpoint_file.ts";
import { openRun } from "../../src/train/open_run.ts";
import type { RunConfig } from "../../src/train/run_config.ts";
import { UserError } from "../../src/core/errors.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";

const MODEL = { name: "reddipalli22-vae", options: { widthMultiplier: 0.125, latentDim: 32 } };

async function writeRun(dir: string, modelName = MODEL.name): Promise<Autoencoder> {
  await Deno.mkdir(`${dir}/checkpoints`, { recursive: true });
  const config = {
    preset: "test",
    mode: "corrected",
    model: MODEL,
    data: { sliceShape: [1, 95, 79] },
  } as unknown as RunConfig;
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
  const m = createModel<Module & Autoencoder>(MODEL.name, MODEL.options);
  const tensors = new Map<string, HostTensor>();
  await addModuleState(tensors, m, "model.");
  await writeCheckpoint(`${dir}/checkpoints/last`, tensors, {
    format: "neurad-checkpoint-1",
    model: modelName,
    step: 7,
    epoch: 1,
    batchInEpoch: 0,
    rng: {},
    dataHash: "x",
    neuradVersion: "test",
  });
  return m;
}

Deno.test("openRun loads the last checkpoint's weights into an eval-mode model", async () => {
  await setup();
  const dir = await tempDir();
  const m = await writeRun(dir);
  const run = await openRun(dir); // no best yet: falls back to last
  deepStrictEqual(run.step, 7);
  deepStrictEqual(run.model.training, false);
  const a = m.stateDict(), b = run.model.stateDict();
  deepStrictEqual([...a.keys()], [...b.keys()]);
  for (const [k, t] of a) {
    deepStrictEqual(await b.get(k)!.toArray(), await t.toArray(), k);
  }
  m.dispose();
  run.model.dispose();
});

Deno.test("openRun: missing run, corrupt config, truncated and foreign checkpoints", async () => {
  await setup();
  const dir = await tempDir();
  await rejects(
    openRun(`${dir}/nope`),
    (e) => e instanceof UserError && e.message.includes("not a run directory"),
  );
  // A seed study (train --seeds) is named as one, with the run to give instead.
  await Deno.mkdir(`${dir}/study`);
  await Deno.writeTextFile(`${dir}/study/seeds.json`, "{}");
  await rejects(
    openRun(`${dir}/study`),
    (e) => e instanceof UserError && /a seed study, not one run: .*study\/seed-0/.test(e.message),
  );
  (await writeRun(dir)).dispose();
  const ck = `${dir}/checkpoints/last.safetensors`;
  const bytes = await Deno.readFile(ck);
  await Deno.writeFile(ck, bytes.subarray(0, bytes.length >> 1));
  await rejects(openRun(dir), (e) => e instanceof UserError && e.message.includes("truncated"));
  (await writeRun(dir, "reddipalli22-vqvae")).dispose();
  await rejects(
    openRun(dir),
    (e) => e instanceof UserError && e.message.includes("checkpoint of model 'reddipalli22-vqvae'"),
  );
  await Deno.writeTextFile(`${dir}/config.json`, "{not json");
  await rejects(
    openRun(dir),
    (e) => e instanceof UserError && e.message.includes("not valid JSON"),
  );
});
