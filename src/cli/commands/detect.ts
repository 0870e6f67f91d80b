// `neurad detect`: anomaly maps for scans with a trained run (--run RUN) or an exported model
// file (--model NAME.neurad). The scans may be files, folders (searched recursively) or quoted
// glob patterns (src/detect/batch/scan_list.ts); each scan's outputs go to OUT/NAME_{anomaly,
// mask}.nii.gz, NAME_overlay.png and NAME.json (written last), NAME keeping the scan's path under
// its folder. Runs are resumable (done scans are skipped), OUT/summary.{csv,html} list every scan,
// `--shard K/N` takes one machine's share of a cluster job and `--merge DIR...` joins the shards'
// summaries (src/detect/batch/). A scan that cannot be read or is not a brain is reported on its
// own line and the others still run.

import { join } from "node:path";
import {
  type Args,
  bool,
  choice,
  type Command,
  defineCommand,
  num,
  path,
  positional,
  str,
} from "../command.ts";
import { parseCommandArgs } from "../parse_args.ts";
import { resolveUserPath } from "../user_path.ts";
import { getDevice } from "../../core/device.ts";
import { detectInto } from "../../detect/batch/detect_into.ts";
import { storedCheckpointName, type StoredThresholds } from "../../eval/stored_thresholds.ts";
import { type OpenedRun, openRun, readRunConfig } from "../../train/open_run.ts";
import { openModelBytes } from "../../export/open_model.ts";
import type { RunConfig } from "../../train/run_config.ts";
import { decodeModelFile } from "../../export/model_file.ts";
import { UserError } from "../../core/errors.ts";
import { findScans } from "../../detect/batch/scan_list.ts";
import { parseShard, type Shard, shardItems, summaryStem } from "../../detect/batch/shard.ts";
import { runBatch } from "../../detect/batch/run_batch.ts";
import { mergeShardSummaries } from "../../detect/batch/merge.ts";

const flags = {
  run: path({ metavar: "RUN", exists: "folder", help: "run directory made by neurad train" }),
  model: path({
    metavar: "FILE",
    exists: "file",
    help: "model file made by neurad export (NAME.neurad), instead of --run",
  }),
  out: path({
    short: "o",
    metavar: "DIR",
    help: "output folder (default: detect; with --merge, the one DIR given)",
  }),
  checkpoint: choice(["best", "last"], {
    help: "weights of --run (default: the checkpoint neurad eval calibrated RUN/thresholds.json " +
      "on, else best)",
  }),
  threshold: num({
    min: 0,
    metavar: "X",
    help: "pixel threshold (default: RUN/thresholds.json from neurad eval)",
  }),
  shard: str({
    metavar: "K/N",
    help: "run shard K of N (K from 0) of the sorted scans: the scans at positions K, K+N, ...; " +
      "its summary is OUT/summary-shard-K-of-N.csv",
    check: (v) => {
      const s = parseShard(v);
      return typeof s === "string" ? s : undefined;
    },
  }),
  merge: bool({
    help: "join the shard summaries (summary-shard-K-of-N.csv) in the DIRs into " +
      "OUT/summary.csv and summary.html",
  }),
};

const positionals = {
  scans: positional({
    name: "SCAN",
    help: "NIfTI scans (.nii, .nii.gz), folders (searched recursively) or quoted glob patterns " +
      "('archive/**/*.nii.gz'); with --merge, the folders holding the shard summaries",
    variadic: true,
    required: false,
    path: true,
  }),
};

type DetectArgs = Args<typeof flags, typeof positionals>;

const USAGE = "neurad detect --run RUN [options] SCAN..., or --model FILE [options] SCAN..., " +
  "or --merge [--out DIR] DIR...";

/** The rules between flags, checked at parse time (before the GPU or any file is touched). */
function checkArgs(a: DetectArgs): void {
  if (a.merge) {
    for (const f of ["run", "model", "checkpoint", "threshold", "shard"] as const) {
      if (a[f] !== undefined) throw new UserError(`--${f}: not with --merge (see --help)`);
    }
    if (a.scans.length === 0) throw new UserError(`missing DIR (usage: ${USAGE})`);
    if (a.scans.length > 1 && a.out === undefined) {
      throw new UserError(`--out: required with --merge of several folders (usage: ${USAGE})`);
    }
    return;
  }
  if (a.run !== undefined && a.model !== undefined) {
    throw new UserError("--model: give either --run RUN or --model FILE, not both");
  }
  if (a.run === undefined && a.model === undefined) {
    throw new UserError(
      "--run: required unless --model or --merge is given (run directory made by neurad train)",
    );
  }
  if (a.model !== undefined && a.checkpoint !== undefined) {
    throw new UserError("--checkpoint: only with --run (a model file holds one checkpoint)");
  }
  if (a.scans.length === 0) throw new UserError(`missing SCAN (usage: ${USAGE})`);
}

const shape = {
  name: "detect",
  summary: "turn scans into anomaly maps (NIfTI on the scan's own grid), masks and a verdict",
  gpu: true,
  description:
    `  neurad detect --run RUN [options] SCAN...      (or --model NAME.neurad instead of --run)
  neurad detect --merge [--out DIR] DIR...       (join the summaries of --shard runs)

Preprocesses each scan as the run's config says, reconstructs every axial slice,
post-processes the residual as 'neurad eval' did (RUN/thresholds.json) and writes, for each
SCAN: NAME_anomaly.nii.gz (float32), NAME_mask.nii.gz (uint8), NAME_overlay.png and NAME.json
(volume score, verdict against the volume threshold eval calibrated at a healthy false-positive
rate over the healthy validation volumes, lesion components in mm³ with centroids in scanner
coordinates). NAME is the scan's path under the folder or pattern it was found by, without
.nii/.nii.gz. OUT/summary.csv and summary.html list every scan (verdict, volume score, lesion
volume, components, warnings, outputs), rewritten after each one. Running again with the same
OUT skips the scans whose NAME.json is there. --shard K/N runs one machine's share of a
cluster job (docs/cluster.md); --merge joins the shards' summaries.`,
  flags,
  positionals,
};

const spec = defineCommand({ ...shape, run: (a) => (a.merge ? merge(a) : detect(a)) });

/** Whether the command parsed last needs the GPU (--merge does not: a login node may have none). */
let needsGpu = true;

export const detectCommand: Command = {
  ...spec,
  get gpu() {
    return needsGpu;
  },
  prepare(argv) {
    const { args } = parseCommandArgs(shape, argv);
    checkArgs(args);
    needsGpu = !args.merge;
    return () => (args.merge ? merge(args) : detect(args));
  },
};

async function merge(a: DetectArgs): Promise<number> {
  const out = a.out ?? a.scans[0];
  const r = await mergeShardSummaries(a.scans, out);
  const shards = new Set(r.rows.map((x) => x.index)).size;
  console.log(`merged ${shards} scan(s) → ${r.csv}, ${r.html}`);
  for (const w of r.warnings) console.log(w);
  return 0;
}

/** Opens --run (with RUN/thresholds.json) or --model: the run and its stored thresholds. */
async function openModel(
  a: DetectArgs,
  modelBytes: Uint8Array | null,
): Promise<{ run: OpenedRun; thresholds: StoredThresholds | null }> {
  if (modelBytes) {
    const run = await openModelBytes(modelBytes, a.model!);
    return { run, thresholds: run.thresholds ?? null };
  }
  const runDir = a.run!;
  let thresholds: StoredThresholds | null = null;
  try {
    thresholds = JSON.parse(await Deno.readTextFile(join(runDir, "thresholds.json")));
  } catch { /* no eval yet: maps without a verdict */ }
  // The thresholds fit the weights they were calibrated on: those, unless asked otherwise.
  const calibrated = thresholds ? storedCheckpointName(thresholds) : undefined;
  const run = await openRun(runDir, { checkpoint: a.checkpoint ?? calibrated ?? "best" });
  const loaded = storedCheckpointName({ checkpoint: run.checkpointPath });
  if (calibrated && loaded !== calibrated) {
    console.log(
      `warning: RUN/thresholds.json was calibrated on the ${calibrated} checkpoint, the maps ` +
        `come from ${loaded}: its thresholds may not fit them`,
    );
  }
  return { run, thresholds };
}

/** Reads --model's bytes and checks the file, or --run's config: cheap refusals first. */
async function checkModel(a: DetectArgs): Promise<{ config: RunConfig; bytes: Uint8Array | null }> {
  if (a.model === undefined) return { config: await readRunConfig(a.run!), bytes: null };
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(a.model);
  } catch (e) {
    throw new UserError(`--model: ${a.model}: cannot read (${(e as Error).message})`);
  }
  return { config: decodeModelFile(bytes, a.model).config, bytes };
}

async function detect(a: DetectArgs): Promise<number> {
  const out = a.out ?? resolveUserPath("detect");
  const shard: Shard | undefined = a.shard === undefined ? undefined : parseShard(a.shard) as Shard;
  // Cheap refusals first: the model's config, then the scans; the model is built only when a
  // scan is left to run.
  const { config, bytes } = await checkModel(a);
  if (config.data.kind !== "nifti") {
    throw new UserError(
      `${a.model ?? a.run}: detect maps NIfTI scans; this model was trained on 2D images`,
    );
  }
  const all = await findScans(a.scans, [out]);
  const scans = shardItems(all, shard);
  if (shard) {
    console.log(
      `shard ${shard.k}/${shard.n}: ${scans.length} of ${all.length} scan(s) (positions ` +
        `${shard.k}, ${shard.k + shard.n}, ...)`,
    );
  }
  let opened: { run: OpenedRun; thresholds: StoredThresholds | null } | undefined;
  try {
    const r = await runBatch({
      scans,
      out,
      stem: summaryStem(shard),
      title: `neurad detect: ${all.length} scan(s)` +
        (shard ? `, shard ${shard.k} of ${shard.n}` : ""),
      alwaysSummary: shard !== undefined,
      prepare: async () => {
        await getDevice();
        opened = await openModel(a, bytes);
      },
      detect: (scan, dir, name, onProgress) =>
        detectInto(opened!.run, scan.file, dir, name, opened!.thresholds, {
          threshold: a.threshold,
          onProgress,
        }),
    });
    if (r.summary) console.log(`summary: ${r.summary.csv}, ${r.summary.html}`);
    return r.failed ? 1 : 0;
  } finally {
    opened?.run.model.dispose();
    opened?.run.discriminator?.dispose();
  }
}
