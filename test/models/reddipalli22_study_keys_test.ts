// reddipalli22-vqgan's key translation against the key list and shapes of the study's VQGAN
// module layout (test/fixtures/reddipalli22_vqgan_study_keys.json, written by
// tools/fixtures/models_reddipalli22_fixtures.py): a bijection in both directions.

import { deepStrictEqual, strictEqual } from "node:assert";
import { type Module } from "../../src/mod.ts";
import { createModel } from "../../src/app.ts";
import { vqganKeyFromStudy, vqganStudyKeys } from "../../src/models/reddipalli22/study_keys.ts";
import { setup } from "../helpers.ts";

Deno.test({
  name: "vqganKeyFromStudy / vqganStudyKeys map the study's VQGAN state dict one to one",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await setup();
    const url = new URL("../fixtures/reddipalli22_vqgan_study_keys.json", import.meta.url);
    const study: [string, number[]][] = JSON.parse(await Deno.readTextFile(url));
    const model = createModel<Module>("reddipalli22-vqgan", {
      mode: "faithful",
      embedDim: 64,
      numCodes: 64,
      widthMultiplier: 0.25,
    });
    const ours = model.stateDict();
    strictEqual(study.length, ours.size);
    const toStudy = vqganStudyKeys(model);
    for (const [key, shape] of study) {
      const k = vqganKeyFromStudy(key);
      const t = ours.get(k);
      if (!t) throw new Error(`${key} → ${k}: not a key of the model`);
      deepStrictEqual([...t.shape], shape, key);
      strictEqual(toStudy.get(k), key);
    }
    strictEqual(new Set(study.map(([k]) => vqganKeyFromStudy(k))).size, ours.size);
    model.dispose();
  },
});
