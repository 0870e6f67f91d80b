// Input that is not what the model learnt gets the verdict "unreliable" with the reason, never a
// plain healthy: a 4D series (nibabel's example4d.nii.gz, an fMRI run, was called healthy), a
// scan of another contrast (Colin27 with its contrast inverted: CSF bright, white matter dark, as
// in T2), and a brain-sized non-brain volume (an ellipsoid of smooth random texture). Colin27's
// own T1 under the same thresholds keeps a plain verdict.

import { deepStrictEqual, ok as assert } from "node:assert";
import { encodeNifti } from "../../src/data/nifti/write_nifti.ts";
import type { Volume } from "../../src/data/nifti/volume.ts";
import { detectVolume } from "../../src/detect/detect_volume.ts";
import { Prng } from "../../src/core/prng.ts";
import { setup } from "../helpers.ts";
import { colinScan, storedThresholds, tinyRun } from "./_tiny_run.ts";

const EXAMPLE_4D = new URL("../fixtures/detect/example4d.nii.gz", import.meta.url);

/** An ellipsoid of 140×170×120 mm (1,500 cm³) at 2 mm filled with smooth random texture. */
function phantom(): Volume {
  const [X, Y, Z] = [80, 96, 70], rng = new Prng(3);
  const coarse = Array.from({ length: 8 * 8 * 8 }, () => rng.uniform(200, 800));
  const data = new Float32Array(X * Y * Z);
  for (let z = 0, i = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, i++) {
        const [u, v, w] = [(x - X / 2) / 35, (y - Y / 2) / 42.5, (z - Z / 2) / 30];
        if (u * u + v * v + w * w > 1) continue;
        const c = coarse[(x >> 4) % 8 + 8 * ((y >> 4) % 8) + 64 * ((z >> 4) % 8)];
        data[i] = c + 50 * Math.sin(x / 3) * Math.cos(y / 4);
      }
    }
  }
  const affine = [[2, 0, 0, -80], [0, 2, 0, -96], [0, 0, 2, -70], [0, 0, 0, 1]];
  return { data, dims: [X, Y, Z], pixdim: [2, 2, 2], affine, sformCode: 1, qformCode: 1 };
}

Deno.test("input that is not a skull-stripped 3D T1 brain is 'unreliable', with the reason", async (t) => {
  await setup();
  const run = tinyRun();
  // Volume threshold far above any score: every scan would be called healthy on its score.
  const th = storedThresholds(1e6, 1e6);
  const detect = async (bytes: Uint8Array, name: string) =>
    (await detectVolume(run, bytes, name, th)).result;
  try {
    const colin = await colinScan(2);
    await t.step("Colin27's T1 keeps its plain verdict", async () => {
      const r = await detect(encodeNifti(colin), "colin.nii");
      deepStrictEqual([r.verdict, r.warnings], ["healthy", []]);
    });
    await t.step("a 4D series (example4d.nii.gz)", async () => {
      const r = await detect(Deno.readFileSync(EXAMPLE_4D), "example4d.nii.gz");
      deepStrictEqual(r.verdict, "unreliable");
      assert(r.warnings.some((w) => /^a 4D series \(2 frames\)/.test(w)), r.warnings.join("; "));
    });
    await t.step("another contrast (T1 inverted: T2-like)", async () => {
      let hi = 0;
      for (const v of colin.data) hi = Math.max(hi, v);
      const inverted = { ...colin, data: colin.data.map((v) => (v ? hi + 1 - v : 0)) };
      const r = await detect(encodeNifti(inverted), "inverted.nii");
      deepStrictEqual(r.verdict, "unreliable");
      assert(
        r.warnings.some((w) => /deep tissue is not brighter .* a different contrast/.test(w)),
        r.warnings.join("; "),
      );
    });
    await t.step("a brain-sized non-brain volume", async () => {
      const r = await detect(encodeNifti(phantom()), "phantom.nii");
      deepStrictEqual(r.verdict, "unreliable");
      assert(r.warnings.some((w) => /not a brain/.test(w)), r.warnings.join("; "));
    });
  } finally {
    run.model.dispose();
  }
});
