/**
 * The batch loop of `neurad detect`: runs detection on each scan of a (sharded) list, resumably
 * and leaving nothing half-made. A scan is done when OUT/NAME.json exists and parses: detect
 * writes it last and atomically, so a run killed at any moment is resumed by running it again,
 * which skips the done scans with one count line. OUT and its subfolders are made only when a
 * scan's outputs are about to be written (by `detect`), and removed again if they are empty after
 * the scan failed (a write that failed): a failed detect leaves no empty folder. After every scan (and once at the start
 * when OUT exists) the summary (src/detect/batch/summary.ts) is rewritten atomically with every
 * scan of the list: done, failed or pending. A progress line with the rate and ETA goes to stderr
 * at least every 5 s, from a heartbeat thread while a scan blocks (src/util/progress.ts).
 * @module
 */

import { basename, dirname, join } from "node:path";
import { errorLine } from "../../core/errors.ts";
import { ProgressBar, type ProgressOptions } from "../../util/progress.ts";
import type { DetectResult } from "../detect_scan.ts";
import type { ScanEntry } from "./scan_list.ts";
import { type SummaryRow, summaryRow, writeSummary } from "./summary.ts";

export interface BatchOptions {
  /** The scans to run, in order (one shard's share of the sorted list). */
  scans: readonly ScanEntry[];
  /** The output folder (made on the first write). */
  out: string;
  /** Summary file stem ("summary" or "summary-shard-K-of-N"). */
  stem: string;
  /** Title of the HTML summary. */
  title: string;
  /** Runs one scan, writing NAME_* and NAME.json (last) into `dir`, which it makes only right
   * before its first file (a scan that fails before then leaves no folder, and never removes one
   * another shard of a shared OUT is about to write into); may report its progress (e.g. slices)
   * for the progress line. */
  detect: (
    scan: ScanEntry,
    dir: string,
    name: string,
    onProgress: (done: number, total: number) => void,
  ) => Promise<DetectResult>;
  /** Called once before the first scan is run (not at all when every scan is done): opens the
   * model. Its errors end the batch. */
  prepare?: () => Promise<void>;
  /** Write the summary even if no scan wrote anything (a shard's summary tells merge it ran). */
  alwaysSummary?: boolean;
  /** Result lines (default console.log) and error lines (default console.error). */
  log?: (line: string) => void;
  error?: (line: string) => void;
  progress?: ProgressOptions;
}

export interface BatchResult {
  done: number;
  skipped: number;
  failed: number;
  /** The summary files, when written. */
  summary?: { csv: string; html: string };
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/** The result NAME.json holds when the scan is complete, else null. */
export async function completedResult(out: string, scan: ScanEntry): Promise<DetectResult | null> {
  try {
    const r = JSON.parse(await Deno.readTextFile(join(out, `${scan.name}.json`)));
    return r && typeof r === "object" && typeof r.verdict === "string" ? r : null;
  } catch {
    return null;
  }
}

/** The folders of `dir`'s path that do not exist yet, deepest first. */
async function missingDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = dir; !(await exists(d)); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  return missing;
}

/** Removes the folders `dirs` (deepest first) while they are empty. */
async function removeEmpty(dirs: string[]): Promise<void> {
  for (const d of dirs) {
    try {
      await Deno.remove(d); // refuses a folder that is not empty
    } catch {
      return;
    }
  }
}

/** Runs the batch; see the module comment. */
export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  const log = o.log ?? console.log, error = o.error ?? console.error;
  const state = new Map<number, { result: DetectResult } | { error: string }>();
  for (const s of o.scans) {
    const r = await completedResult(o.out, s);
    if (r) state.set(s.index, { result: r });
  }
  const skipped = state.size;
  const todo = o.scans.filter((s) => !state.has(s.index));
  if (skipped > 0) {
    log(
      `${skipped} of ${o.scans.length} scan(s) already done in ${o.out}: skipped ` +
        `(${todo.length} to run)`,
    );
  }
  let outExists = await exists(o.out);
  let summary: BatchResult["summary"];
  const rows = (): SummaryRow[] =>
    o.scans.map((s) => summaryRow(s, o.out, state.get(s.index) ?? null));
  const writeRows = async () => {
    if (outExists) summary = await writeSummary(o.out, o.stem, rows(), o.title);
  };
  await writeRows();
  let done = 0, failed = 0;
  const bar = new ProgressBar("detect", todo.length, { unit: "scans", tty: false, ...o.progress });
  const interval = o.progress?.interval ?? 5000;
  let lastSlices = performance.now();
  if (todo.length > 0) {
    await o.prepare?.();
    bar.update(0, `(${todo[0].name})`, true);
    bar.keepAlive();
  }
  try {
    for (const [i, scan] of todo.entries()) {
      if (i > 0) bar.update(i, `(${scan.name})`);
      const dir = dirname(join(o.out, scan.name));
      let made: string[] = [];
      try {
        made = await missingDirs(dir);
        const r = await o.detect(scan, dir, basename(scan.name), (d, n) => {
          // A line of its own (the heartbeat repeats the last line's note): at the last slice,
          // and before the heartbeat would repeat an old slice count.
          const now = performance.now();
          const force = d === n || now - lastSlices >= 0.8 * interval;
          if (force) lastSlices = now;
          bar.update(i, `(${scan.name}: ${d}/${n} slices)`, force);
        });
        outExists = true;
        state.set(scan.index, { result: r });
        done++;
        const score = r.volumeScore === null ? "–" : r.volumeScore.toFixed(4);
        log(
          `${scan.file}: ${r.verdict} (volume score ${score}), ${r.lesions.length} component(s) ` +
            `→ ${r.outputs.json ?? join(o.out, `${scan.name}.json`)}`,
        );
        if (r.volumeThreshold && r.volumeScore !== null) {
          log(
            `  volume threshold ${r.volumeThreshold.value.toFixed(4)}: ${r.volumeThreshold.note}`,
          );
        }
        for (const w of r.warnings) log(`  warning: ${w}`);
      } catch (e) {
        failed++;
        await removeEmpty(made);
        outExists = await exists(o.out);
        const line = errorLine(e);
        state.set(scan.index, { error: line.replace(/^error: /, "") });
        error(line);
      }
      await writeRows();
    }
    if (todo.length > 0) bar.update(todo.length, "", true);
  } finally {
    bar.stop();
  }
  if (o.alwaysSummary && !outExists) {
    await Deno.mkdir(o.out, { recursive: true });
    outExists = true;
    await writeRows();
  }
  return { done, skipped, failed, summary };
}
