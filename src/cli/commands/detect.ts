// `neurad detect`: anomaly maps for scans with a trained run (src/detect/detect_scan.ts). Each
// scan's outputs go to OUT/NAME_{anomaly,mask}.nii.gz, NAME_overlay.png and NAME.json; a scan that
// cannot be read or is not a brain is reported on its own line and the others still run.

import { join } from "node:path";
import { choice, defineCommand, num, path, positional } from "../command.ts";
import { getDevice } from "../../core/device.ts";
import { detectScan } from "../../detect/detect_scan.ts";
import { storedCheckpointName, type StoredThresholds } from "../../eval/stored_thresholds.ts";
import { openRun } from "../../train/open_run.ts";
import { errorLine, UserError } from "../../core/errors.ts";

export const detectCommand = defineCommand({
  name: "detect",
  summary: "turn scans into anomaly maps (NIfTI on the scan's own grid), masks and a verdict",
  gpu: true,
  description: `Preprocesses each scan as the run's config says, reconstructs every axial slice,
post-processes the residual as 'neurad eval' did (RUN/thresholds.json) and writes, for each
SCAN: NAME_anomaly.nii.gz (float32), NAME_mask.nii.gz (uint8), NAME_overlay.png and NAME.json
(volume score, verdict against the volume threshold eval calibrated at a healthy false-positive
rate over the healthy validation volumes, lesion components in mm³ with centroids in scanner
coordinates).`,
  flags: {
    run: path({ metavar: "RUN", required: true, help: "run directory made by neurad train" }),
    out: path({ short: "o", metavar: "DIR", default: "detect", help: "output folder" }),
    checkpoint: choice(["best", "last"], {
      help: "weights (default: the checkpoint neurad eval calibrated RUN/thresholds.json on, " +
        "else best)",
    }),
    threshold: num({
      min: 0,
      metavar: "X",
      help: "pixel threshold (default: RUN/thresholds.json from neurad eval)",
    }),
  },
  positionals: {
    scans: positional({
      name: "SCAN",
      help: "NIfTI scans (.nii, .nii.gz)",
      variadic: true,
      required: true,
      path: true,
    }),
  },
  async run({ run: runDir, out, checkpoint, threshold, scans }) {
    await getDevice();
    let thresholds: StoredThresholds | null = null;
    try {
      thresholds = JSON.parse(await Deno.readTextFile(join(runDir, "thresholds.json")));
    } catch { /* no eval yet: maps without a verdict */ }
    // The thresholds fit the weights they were calibrated on: those, unless asked otherwise.
    const calibrated = thresholds ? storedCheckpointName(thresholds) : undefined;
    const run = await openRun(runDir, { checkpoint: checkpoint ?? calibrated ?? "best" });
    if (run.config.data.kind !== "nifti") {
      throw new UserError(`${runDir}: detect maps NIfTI scans; this run was trained on 2D images`);
    }
    const loaded = storedCheckpointName({ checkpoint: run.checkpointPath });
    if (calibrated && loaded !== calibrated) {
      console.log(
        `warning: RUN/thresholds.json was calibrated on the ${calibrated} checkpoint, the maps ` +
          `come from ${loaded}: its thresholds may not fit them`,
      );
    }
    await Deno.mkdir(out, { recursive: true });
    let failed = 0;
    try {
      for (const scan of scans) {
        try {
          const r = await detectScan(run, scan, out, thresholds, threshold);
          const score = r.volumeScore === null ? "–" : r.volumeScore.toFixed(4);
          console.log(
            `${scan}: ${r.verdict} (volume score ${score}), ${r.lesions.length} component(s) → ${r.outputs.json}`,
          );
          if (r.volumeThreshold && r.volumeScore !== null) {
            console.log(
              `  volume threshold ${r.volumeThreshold.value.toFixed(4)}: ${r.volumeThreshold.note}`,
            );
          }
          for (const w of r.warnings) console.log(`  warning: ${w}`);
        } catch (e) {
          failed++;
          console.error(errorLine(e));
        }
      }
    } finally {
      run.model.dispose();
      run.discriminator?.dispose();
    }
    return failed ? 1 : 0;
  },
});
