// `neurad detect` on a file: the thin file-system wrapper around detectVolume
// (src/detect/detect_volume.ts, bytes in and bytes out, which does all the work). It reads the
// scan, runs detection and writes NAME_anomaly.nii.gz, NAME_mask.nii.gz, NAME_overlay.png and
// NAME.json into outDir, each atomically; the outputs detectVolume does not make (a scan that is
// not scored, a map without a pixel threshold) are not written.

import { join } from "node:path";
import { DataError } from "../data/data_error.ts";
import type { StoredThresholds } from "../eval/stored_thresholds.ts";
import type { OpenedRun } from "../train/open_run.ts";
import { writeFileAtomic, writeTextFileAtomic } from "../util/atomic_write.ts";
import {
  type DetectResult,
  detectVolume,
  type DetectVolumeOptions,
  outputNames,
  scanBaseName,
} from "./detect_volume.ts";

export type { DetectResult } from "./detect_volume.ts";

/** Runs detection on one scan file and writes its outputs into outDir (which must exist). */
export async function detectScan(
  run: OpenedRun,
  scanPath: string,
  outDir: string,
  thresholds: StoredThresholds | null,
  thresholdOverride?: number,
  opts: Omit<DetectVolumeOptions, "threshold" | "outDir"> = {},
): Promise<DetectResult> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(scanPath);
  } catch (e) {
    throw new DataError(scanPath, `cannot read file (${(e as Error).message})`);
  }
  const out = await detectVolume(run, bytes, scanPath, thresholds, {
    ...opts,
    threshold: thresholdOverride,
    outDir,
  });
  const files = outputNames(scanBaseName(scanPath));
  if (out.anomaly) await writeFileAtomic(join(outDir, files.anomaly), out.anomaly);
  if (out.mask) await writeFileAtomic(join(outDir, files.mask), out.mask);
  if (out.overlayPng) await writeFileAtomic(join(outDir, files.overlay), out.overlayPng);
  await writeTextFileAtomic(join(outDir, files.json), out.json);
  return out.result;
}
