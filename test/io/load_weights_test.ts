// loadWeights(): strict by default (one line naming the file and the missing key), the
// torch-style strict=false result (what was missing and unexpected is returned, never dropped),
// and old BatchNorm checkpoints without num_batches_tracked accepted only when asked.

import { deepStrictEqual, ok, rejects } from "node:assert";
import { BatchNorm2d, Conv2d } from "../../src/mod.ts";
import { loadWeights } from "../../src/io/load_weights.ts";
import { type HostTensor, writeSafetensors } from "../../src/io/safetensors.ts";
import { setup } from "../helpers.ts";

async function weightsFile(tensors: Record<string, HostTensor>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "neurad-weights-" });
  const path = `${dir}/w.safetensors`;
  await writeSafetensors(path, new Map(Object.entries(tensors)));
  return path;
}

const f32 = (shape: number[], v = 0.5): HostTensor => ({
  dtype: "F32",
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v),
});

Deno.test("loadWeights() is strict by default and returns missing/unexpected keys otherwise", async () => {
  await setup();
  const conv = new Conv2d(2, 3, 3);
  const path = await weightsFile({ weight: f32([3, 2, 3, 3]), extra: f32([1]) });
  try {
    await rejects(loadWeights(conv, path), (e: Error) => {
      ok(e.message.startsWith(path) && /missing 1 key \[bias\]/.test(e.message), e.message);
      ok(!e.message.includes("\n"), "one line");
      return true;
    });
    const r = await loadWeights(conv, path, { strict: false });
    deepStrictEqual(r, { missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    deepStrictEqual(Array.from(await conv.weight.toArray()).slice(0, 3), [0.5, 0.5, 0.5]);
  } finally {
    conv.dispose();
    await Deno.remove(path.replace(/\/w\.safetensors$/, ""), { recursive: true });
  }
});

Deno.test("loadWeights() takes an old BatchNorm checkpoint only with allowMissingNumBatchesTracked", async () => {
  await setup();
  const bn = new BatchNorm2d(4);
  const path = await weightsFile({
    weight: f32([4], 2),
    bias: f32([4], 1),
    running_mean: f32([4], 0.25),
    running_var: f32([4], 3),
  });
  try {
    await rejects(loadWeights(bn, path), /num_batches_tracked/);
    const r = await loadWeights(bn, path, { allowMissingNumBatchesTracked: true });
    deepStrictEqual(r, { missingKeys: [], unexpectedKeys: [] });
    deepStrictEqual(Array.from(await bn.stateDict().get("running_var")!.toArray()), [3, 3, 3, 3]);
  } finally {
    bn.dispose();
    await Deno.remove(path.replace(/\/w\.safetensors$/, ""), { recursive: true });
  }
});
