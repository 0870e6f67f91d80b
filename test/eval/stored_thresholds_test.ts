// RUN/thresholds.json between eval and detect: the record eval writes reads back as the same
// post-processing, files written before the explicit options (only `faithful`) still read as the
// mode they were written in, the volume threshold reports its calibration (older files: the
// healthy maximum, count unknown), no file means the defaults, and detect reaches no protocol
// module.

import { deepStrictEqual, ok as assert } from "node:assert";
import {
  DEFAULT_STACK_POSTPROCESS,
  fromStoredPostprocess,
  storedCheckpointName,
  type StoredThresholds,
  toStoredPostprocess,
  volumeThresholdInfo,
} from "../../src/eval/stored_thresholds.ts";
import { reddipalli22Postprocessing } from "../../src/eval/protocols/reddipalli22.ts";
import { moduleGraph } from "./_module_graph.ts";

Deno.test("stored post-processing round-trips for both modes and mixed options", () => {
  for (const faithful of [false, true]) {
    const stack = reddipalli22Postprocessing(7, faithful);
    const stored = toStoredPostprocess(stack, "positive");
    deepStrictEqual(stored.faithful, faithful);
    const json = JSON.parse(JSON.stringify(stored));
    deepStrictEqual(fromStoredPostprocess(json), { residual: "positive", stack });
  }
  const mixed = { medianFilter: 5, median: "3d", erode: 2, erosionPlanes: "axial" } as const;
  const stored = toStoredPostprocess(mixed, "absolute");
  deepStrictEqual(stored.faithful, false);
  deepStrictEqual(fromStoredPostprocess(stored).stack, mixed);
});

Deno.test("thresholds.json written before median/erosionPlanes reads through `faithful`", () => {
  const old = (faithful?: boolean): StoredThresholds => ({
    protocol: "reddipalli22",
    threshold: 0.12,
    volumeScore: { threshold: 0.05, healthyMean: 0.04, healthyStd: 0.01, healthyMax: 0.05 },
    postprocess: { medianFilter: 5, erode: 5, residual: "absolute", faithful },
    createdBy: "neurad eval",
    checkpoint: "/runs/x/checkpoints/best.safetensors",
  });
  deepStrictEqual(fromStoredPostprocess(old(true).postprocess), {
    residual: "absolute",
    stack: reddipalli22Postprocessing(5, true),
  });
  for (const f of [false, undefined]) {
    deepStrictEqual(fromStoredPostprocess(old(f).postprocess).stack, {
      medianFilter: 5,
      median: "2d",
      erode: 5,
      erosionPlanes: "axial",
    });
  }
});

Deno.test("the volume threshold says how it was calibrated; older files read as the maximum", () => {
  const now = volumeThresholdInfo({
    threshold: 0.041,
    rule: "quantile",
    fpr: 0.05,
    calibrationVolumes: 12,
    healthyMean: 0.04,
    healthyStd: 0.001,
    healthyMax: 0.042,
  });
  deepStrictEqual([now.value, now.rule, now.fpr, now.calibrationVolumes], [
    0.041,
    "healthy-fpr-quantile",
    0.05,
    12,
  ]);
  assert(now.note.startsWith("the 95 % quantile of the volume scores of 12 healthy"), now.note);
  const old = JSON.parse(
    '{"threshold":0.05,"healthyMean":0.04,"healthyStd":0.01,"healthyMax":0.05}',
  );
  const info = volumeThresholdInfo(old);
  deepStrictEqual([info.value, info.rule, info.fpr, info.calibrationVolumes], [
    0.05,
    "healthy-maximum",
    null,
    null,
  ]);
  assert(/older neurad eval/.test(info.note), info.note);
});

Deno.test("the checkpoint a record was calibrated on (detect maps with the same weights)", () => {
  deepStrictEqual(storedCheckpointName({ checkpoint: "/r/checkpoints/best.safetensors" }), "best");
  deepStrictEqual(storedCheckpointName({ checkpoint: "r\\checkpoints\\last.safetensors" }), "last");
  deepStrictEqual(
    storedCheckpointName({ checkpoint: "/r/checkpoints/step-200.safetensors" }),
    undefined,
  );
});

Deno.test("no thresholds: 9×9 median per slice, 5 axial erosions, absolute residual", () => {
  deepStrictEqual(fromStoredPostprocess(undefined), {
    residual: "absolute",
    stack: { ...DEFAULT_STACK_POSTPROCESS },
  });
  deepStrictEqual(DEFAULT_STACK_POSTPROCESS, reddipalli22Postprocessing(9, false));
});

Deno.test("detect imports no evaluation protocol, directly or through another module", async () => {
  const graph = await moduleGraph("src/detect/detect_scan.ts");
  assert(graph.includes("src/eval/postprocess/postprocess_stack.ts"), graph.join("\n"));
  deepStrictEqual(graph.filter((p) => p.startsWith("src/eval/protocols/")), []);
});
