// The verdict agrees with the map: anomalous when the volume score exceeds its threshold OR the
// largest lesion component exceeds the component-volume threshold eval calibrated on the healthy
// validation volumes (RUN/thresholds.json componentVolume), and NAME.json says which decided.
// Before, only the volume score counted: a scan whose mask held 117 components, the largest
// 32.7 cm³, was called healthy, as was the scan below (score far under its threshold, a mask
// with components of several cm³).

import { deepStrictEqual, ok as assert } from "node:assert";
import { encodeNifti } from "../../src/data/nifti/write_nifti.ts";
import { detectVolume } from "../../src/detect/detect_volume.ts";
import { decideVerdict, UNCALIBRATED_COMPONENT_MM3 } from "../../src/detect/verdict.ts";
import type { StoredComponentVolume } from "../../src/eval/stored_thresholds.ts";
import { setup } from "../helpers.ts";
import { colinScan, storedThresholds, tinyRun } from "./_tiny_run.ts";

const calibrated = (pixel: number, mm3: number): StoredComponentVolume => ({
  thresholdMm3: mm3,
  rule: "quantile",
  fpr: 0.05,
  calibrationVolumes: 20,
  pixelThreshold: pixel,
  healthyMaxMm3: mm3 * 1.2,
  combinedFalsePositives: 2,
});

Deno.test("a scan whose mask holds a large component is anomalous, whatever its score", async () => {
  await setup();
  const run = tinyRun();
  try {
    const bytes = encodeNifti(await colinScan(2));
    // Pixel threshold at about the map's 99th percentile: components of several cm³.
    const pixel = 1.48;
    const big = storedThresholds(pixel, 1e6, { componentVolume: calibrated(pixel, 3000) });
    const r = (await detectVolume(run, bytes, "colin.nii", big)).result;
    assert(r.lesions[0].volumeMm3 > 3000, JSON.stringify(r.lesions.slice(0, 3)));
    deepStrictEqual(r.verdict, "anomalous");
    deepStrictEqual(r.verdictBasis!.volumeScore.exceeded, false);
    deepStrictEqual(r.verdictBasis!.largestComponent!.exceeded, true);
    deepStrictEqual(r.verdictBasis!.largestComponent!.volumeMm3, r.lesions[0].volumeMm3);
    assert(
      /largest component [0-9.]+ cm³ > 3 cm³/.test(r.verdictBasis!.reason),
      r.verdictBasis!.reason,
    );
    deepStrictEqual(r.warnings, []);
    // The same map under a component threshold above its largest component: healthy.
    const small = storedThresholds(pixel, 1e6, { componentVolume: calibrated(pixel, 1e6) });
    const h = (await detectVolume(run, bytes, "colin.nii", small)).result;
    deepStrictEqual([h.verdict, h.verdictBasis!.largestComponent!.exceeded], ["healthy", false]);
  } finally {
    run.model.dispose();
  }
});

Deno.test("decideVerdict: score OR component, and when the component rule does not apply", () => {
  const th = storedThresholds(0.2, 1.0, { componentVolume: calibrated(0.2, 2000) });
  // The case from the issue: 117 components, the largest 32.7 cm³, score under its threshold.
  const issue = decideVerdict(0.8, 32_700, 0.2, th);
  deepStrictEqual([issue.verdict, issue.warnings], ["anomalous", []]);
  assert(
    /^anomalous: volume score 0.8000 ≤ 1.000; largest component 32.7 cm³ > 2 cm³/.test(
      issue.basis.reason,
    ),
    issue.basis.reason,
  );
  deepStrictEqual(decideVerdict(1.2, 0, 0.2, th).verdict, "anomalous");
  deepStrictEqual(decideVerdict(0.8, 1999, 0.2, th).verdict, "healthy");
  // Another pixel threshold (--threshold): the calibration does not hold, the score decides.
  const other = decideVerdict(0.8, 32_700, 0.1, th);
  deepStrictEqual([other.verdict, other.basis.largestComponent], ["healthy", null]);
  assert(/calibrated at pixel threshold 0.2000, the mask uses 0.1000/.test(other.warnings[0]));
  // A thresholds.json from before the component calibration: the stated 1 cm³ default.
  const old = storedThresholds(0.2, 1.0);
  delete old.componentVolume;
  const o = decideVerdict(0.8, 32_700, 0.2, old);
  deepStrictEqual(
    [o.verdict, o.basis.largestComponent!.thresholdMm3],
    ["anomalous", UNCALIBRATED_COMPONENT_MM3],
  );
  assert(/uncalibrated default .* re-run neurad eval/.test(o.warnings[0]), o.warnings[0]);
  const none = decideVerdict(0.8, null, null, th);
  assert(/no mask/.test(none.warnings[0]) && none.verdict === "healthy");
});
