/**
 * One scan of a batch: detectVolume (src/detect/detect_volume.ts) on the scan's bytes, its outputs
 * written into `dir` under the batch's output NAME (src/detect/batch/scan_list.ts) rather than
 * the file's own name, so x.nii and x.nii.gz of one folder do not overwrite each other. Each file
 * is written atomically and NAME.json last: a scan whose NAME.json exists is complete, which is
 * what resuming a batch relies on. For a scan named after its file the bytes are exactly
 * detectScan's.
 * @module
 */

import { join } from "node:path";
import { DataError } from "../../data/data_error.ts";
import type { StoredThresholds } from "../../eval/stored_thresholds.ts";
import type { OpenedRun } from "../../train/open_run.ts";
import { writeFileAtomic, writeTextFileAtomic } from "../../util/atomic_write.ts";
import {
  type DetectResult,
  detectVolume,
  type DetectVolumeOptions,
  outputNames,
  scanBaseName,
} from "../detect_volume.ts";

/** Runs detection on `file` and writes NAME_anomaly.nii.gz, NAME_mask.nii.gz, NAME_overlay.png
 * and NAME.json (last) into `dir`, made (with its parents) only once there is something to
 * write: a scan that fails makes no folder. */
export async function detectInto(
  run: OpenedRun,
  file: string,
  dir: string,
  name: string,
  thresholds: StoredThresholds | null,
  opts: Omit<DetectVolumeOptions, "outDir"> = {},
): Promise<DetectResult> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    throw new DataError(file, `cannot read file (${(e as Error).message})`);
  }
  const out = await detectVolume(run, bytes, file, thresholds, { ...opts, outDir: dir });
  const files = outputNames(name);
  const result = out.result;
  let json = out.json;
  if (name !== scanBaseName(file)) {
    // The outputs under NAME (detectVolume named them after the file).
    for (const key of Object.keys(result.outputs) as (keyof typeof files)[]) {
      if (key in files) result.outputs[key] = join(dir, files[key]);
    }
    json = JSON.stringify(result, null, 2);
  }
  await Deno.mkdir(dir, { recursive: true });
  if (out.anomaly) await writeFileAtomic(join(dir, files.anomaly), out.anomaly);
  if (out.mask) await writeFileAtomic(join(dir, files.mask), out.mask);
  if (out.overlayPng) await writeFileAtomic(join(dir, files.overlay), out.overlayPng);
  await writeTextFileAtomic(join(dir, files.json), json);
  return result;
}
