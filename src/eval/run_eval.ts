// `neurad eval` end to end: open the run (config + checkpoint, eval mode), run the protocol of its
// data kind (NIfTI: the first study's, protocols/reddipalli22.ts; 2D class folders: the second
// study's, protocols/chandru25.ts) and write OUT/eval.json (EvalResult), OUT/per_subject.csv,
// RUN/thresholds.json (the chosen threshold; `neurad detect` reads a NIfTI run's, in the format of
// stored_thresholds.ts) and OUT/report.html — every file atomically. Several runs at once also give
// OUT/comparison.{md,csv,json}. The checkpoint is a stated choice: by default the best-validation
// weights for a corrected evaluation and the last weights (what the studies report) for a
// faithful one; the result records which file was loaded and why.

import { join } from "node:path";
import { deviceInfo, getDevice } from "../core/device.ts";
import { type OpenedRun, openRun, readRunConfig } from "../train/open_run.ts";
import { UserError } from "../core/errors.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import { writeReport } from "../report/write_report.ts";
import type { CheckpointDetail, EvalResult, ThresholdScope } from "../report/eval_result.ts";
import { baselineShortfalls, contextLine, degenerateNotes } from "../report/result_notes.ts";
import { evaluateReddipalli22 } from "./protocols/reddipalli22.ts";
import type { StoredThresholds } from "./stored_thresholds.ts";
import { type Chandru25Thresholds, evaluateChandru25 } from "./protocols/chandru25.ts";
import type { ResidualKind } from "./scoring/reconstruct.ts";
import { seedLines } from "./seed_summary.ts";

export interface EvalOptions {
  runDir: string;
  outDir?: string;
  dataDir?: string;
  /** Default: "best" (lowest validation loss) for a corrected evaluation, "last" (the studies'
   * final weights) for a faithful one. */
  checkpoint?: "best" | "last";
  /** NIfTI runs: pixel thresholds pooled over datasets or per dataset (default: the mode's). */
  thresholdScope?: ThresholdScope;
  /** NIfTI runs: healthy false-positive rate of detect's volume threshold (default 0.05). */
  volumeFpr?: number;
  medianFilter?: number;
  residual?: ResidualKind;
  bootstrap?: number;
  /** Post-process as the study's code did (default: the run's mode). */
  faithful?: boolean;
  /** 2D runs: the ImageNet VGG16 weights of the score (without: a seeded random VGG16). */
  vggWeights?: string;
  /** 2D runs without vggWeights: width of the random VGG16 (tests, quick runs). */
  vggWidthMultiplier?: number;
  report?: boolean;
  quiet?: boolean;
  /** Where progress and warnings go (default stderr). */
  write?: (text: string) => void;
}

export interface EvalOutput {
  result: EvalResult;
  outDir: string;
  reportPath?: string;
}

/** Evaluates one run and writes its outputs. */
export async function runEval(o: EvalOptions): Promise<EvalOutput> {
  await getDevice();
  const t0 = performance.now();
  const config = await readRunConfig(o.runDir);
  const faithful = o.faithful ?? config.mode === "faithful";
  const requested = o.checkpoint ?? (faithful ? "last" : "best");
  const run = await openRun(o.runDir, { checkpoint: requested });
  try {
    const twoD = run.config.data.kind === "images2d";
    if (twoD && (o.thresholdScope !== undefined || o.volumeFpr !== undefined)) {
      throw new UserError(
        `--${
          o.thresholdScope !== undefined ? "threshold-scope" : "volume-fpr"
        }: ${o.runDir} is a ` +
          "2D run; its protocol has one image threshold and no volumes",
      );
    }
    if (!twoD && (o.vggWeights || o.vggWidthMultiplier !== undefined)) {
      throw new UserError(
        `--vgg-weights: ${o.runDir} is a NIfTI run; the VGG16 score is the second study's (2D)`,
      );
    }
    if (twoD && (o.medianFilter !== undefined || o.residual !== undefined)) {
      throw new UserError(
        `--${o.medianFilter !== undefined ? "median-filter" : "residual"}: ${o.runDir} is a 2D ` +
          "run; its protocol scores whole images (no residual maps)",
      );
    }
    const { body, thresholds }: {
      body: Partial<EvalResult>;
      thresholds: StoredThresholds | Chandru25Thresholds;
    } = twoD
      ? await evaluateChandru25(run, {
        dataDir: o.dataDir,
        vggWeights: o.vggWeights,
        vggWidthMultiplier: o.vggWidthMultiplier,
        bootstrap: o.bootstrap,
        faithful: o.faithful,
        quiet: o.quiet,
        write: o.write,
      })
      : await evaluateReddipalli22(run, {
        dataDir: o.dataDir,
        medianFilter: o.medianFilter,
        residual: o.residual,
        bootstrap: o.bootstrap,
        faithful: o.faithful,
        thresholdScope: o.thresholdScope,
        volumeFpr: o.volumeFpr,
        quiet: o.quiet,
        write: o.write,
      });
    const seconds = (performance.now() - t0) / 1000;
    const volumes = new Set(body.perSubject?.map((r) => r.subject)).size;
    const info = deviceInfo();
    const result: EvalResult = {
      run: o.runDir,
      checkpoint: checkpointDetail(run, requested).used,
      checkpointDetail: checkpointDetail(run, requested).detail,
      thresholdScope: body.thresholdScope ?? "pooled",
      preset: run.config.preset,
      mode: run.config.mode,
      model: {
        name: run.config.model.name,
        options: run.config.model.options,
        parameters: run.model.parameters().reduce((a, p) => a + p.size, 0),
      },
      protocol: twoD ? "chandru25" : "reddipalli22",
      settings: body.settings ?? {},
      rankings: body.rankings ?? [],
      dice: body.dice ?? [],
      fprThresholds: body.fprThresholds ?? [],
      lesionDetection: body.lesionDetection ?? [],
      classification: body.classification ?? [],
      panels: body.panels ?? [],
      codebookUsage: body.codebookUsage,
      perSubject: body.perSubject ?? [],
      warnings: body.warnings ?? [],
      timing: { seconds, itemsPerSecond: volumes / seconds },
      versions: {
        neurad: NEURAD_VERSION,
        deno: Deno.version.deno,
        adapter: `${info.description} (${info.backend})`,
      },
      config: run.config as unknown as Record<string, unknown>,
    };
    const out = o.outDir ?? join(o.runDir, "eval");
    await Deno.mkdir(out, { recursive: true });
    await writeTextFileAtomic(join(out, "eval.json"), JSON.stringify(result, null, 1));
    await writeTextFileAtomic(join(out, "per_subject.csv"), perSubjectCsv(result));
    await writeTextFileAtomic(
      join(o.runDir, "thresholds.json"),
      JSON.stringify(thresholds, null, 2),
    );
    const reportPath = o.report === false ? undefined : await writeReport(result, o.runDir, out);
    return { result, outDir: out, reportPath };
  } finally {
    run.model.dispose();
    run.discriminator?.dispose();
  }
}

/** Which checkpoint file was loaded, and how its weights compare with the studies' (final). */
export function checkpointDetail(
  run: Pick<OpenedRun, "checkpointPath" | "step" | "epoch">,
  requested: "best" | "last",
): { used: "best" | "last"; detail: CheckpointDetail } {
  const used = /(^|\/)best\.safetensors$/.test(run.checkpointPath) ? "best" : "last";
  const at = `step ${run.step}, epoch ${run.epoch}`;
  const note = used === "best"
    ? `lowest validation loss on healthy validation slices (${at}); the studies report their ` +
      "final weights (--checkpoint last)"
    : requested === "best"
    ? `the run has no best checkpoint: its last weights (${at}) instead`
    : `the last weights saved (${at}), as the studies report (final weights)`;
  return {
    used,
    detail: { requested, path: run.checkpointPath, step: run.step, epoch: run.epoch, note },
  };
}

/** OUT/per_subject.csv: one row per subject (a seed study: per seed and subject). */
export function perSubjectCsv(r: EvalResult): string {
  const cols = [...new Set(r.perSubject.flatMap((row) => Object.keys(row)))];
  const cell = (
    v: unknown,
  ) => (v === undefined
    ? ""
    : /[",\n]/.test(String(v))
    ? `"${String(v).replace(/"/g, '""')}"`
    : String(v));
  return [cols.join(","), ...r.perSubject.map((row) => cols.map((c) => cell(row[c])).join(","))]
    .join("\n") + "\n";
}

/** The studies' comparison table (model, ED, EV, metrics per dataset) over several results, with
 * the checkpoint and threshold scope of every row, each ranking metric's no-model baseline beside
 * it, and Dice rows whose threshold is degenerate marked instead of presented. */
export function comparisonTables(
  results: EvalResult[],
): { md: string; csv: string; json: unknown } {
  const notes: string[] = [];
  // Seed studies: each model metric's standard deviation over seeds beside its mean.
  const studies = results.some((r) => r.seeds);
  const rows = results.flatMap((r) => {
    const o = r.model.options as Record<string, unknown>;
    const spread = (table: string, ds: string, row: string | undefined, metric: string) =>
      studies
        ? r.seeds?.metrics.find((m) =>
          m.table === table && m.dataset === ds && m.row === row && m.metric === metric
        )?.std ?? undefined
        : undefined;
    const datasets = [...new Set(r.rankings.map((x) => x.dataset))];
    return datasets.map((ds) => {
      const get = (level: string) => r.rankings.find((x) => x.dataset === ds && x.level === level);
      const dice = r.dice.find((d) => d.dataset === ds);
      if (dice?.degenerate) notes.push(`${r.run} ${ds}: ${dice.degenerate}`);
      if (dice?.baseline?.degenerate) {
        notes.push(`${r.run} ${ds} baseline: ${dice.baseline.degenerate}`);
      }
      const level = (l: string) => {
        const x = get(l);
        return {
          [`${l}AUROC`]: x?.auroc,
          ...(studies ? { [`${l}AUROCSeedStd`]: spread("ranking", ds, l, "AUROC") } : {}),
          [`${l}AUROCBaseline`]: x?.baseline?.auroc,
          [`${l}AUPRC`]: x?.auprc,
          ...(studies ? { [`${l}AUPRCSeedStd`]: spread("ranking", ds, l, "AUPRC") } : {}),
          [`${l}AUPRCBaseline`]: x?.baseline?.auprc,
        };
      };
      return {
        run: r.run,
        model: r.model.name,
        mode: r.mode,
        checkpoint: r.checkpoint,
        thresholds: r.thresholdScope ?? "pooled",
        ED: o.embedDim ?? o.latentDim ?? "",
        EV: o.numCodes ?? "",
        dataset: ds,
        ...(studies ? { seeds: r.seeds?.seeds.length ?? 1 } : {}),
        ...level("sample"),
        ...level("slice"),
        ...level("pixel"),
        diceT: dice?.diceT,
        ...(studies ? { diceTSeedStd: spread("dice", ds, dice?.filter, "DICE_T") } : {}),
        diceSMean: dice?.diceS.mean,
        ...(studies ? { diceSMeanSeedStd: spread("dice", ds, dice?.filter, "DICE_S") } : {}),
        diceSStd: dice?.diceS.std,
        diceTBaseline: dice?.baseline?.diceT,
        degenerate: dice?.degenerate ?? "",
        baselineDegenerate: dice?.baseline?.degenerate ?? "",
      } as Record<string, unknown>;
    });
  });
  const text = [
    "run",
    "model",
    "mode",
    "checkpoint",
    "thresholds",
    "ED",
    "EV",
    "dataset",
    "seeds",
  ];
  const cols = Object.keys(rows[0] ?? { run: "" });
  const mdCols = cols.filter((c) =>
    c !== "degenerate" && c !== "baselineDegenerate" && !c.endsWith("SeedStd")
  );
  const fmt = (v: unknown) => (typeof v === "number" ? (100 * v).toFixed(2) : String(v ?? ""));
  // A seed study's mean shows its spread: "mean ± std over seeds".
  const withSpread = (r: Record<string, unknown>, c: string) =>
    typeof r[`${c}SeedStd`] === "number" ? `${fmt(r[c])} ± ${fmt(r[`${c}SeedStd`])}` : fmt(r[c]);
  const cell = (r: Record<string, unknown>, c: string) =>
    text.includes(c)
      ? String(r[c])
      : (r.degenerate && ["diceT", "diceSMean", "diceSStd"].includes(c)) ||
          (r.baselineDegenerate && c === "diceTBaseline")
      ? "degenerate*"
      : withSpread(r, c);
  const md = [
    `| ${mdCols.join(" | ")} |`,
    `| ${mdCols.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${mdCols.map((c) => cell(r, c)).join(" | ")} |`),
  ].join("\n") +
    "\n\nMetrics in percent; thresholds chosen on validation data (pooled: one threshold over " +
    "every pathological validation subject; per-dataset: each dataset's own); checkpoint: the " +
    "weights evaluated (best = lowest validation loss, last = final weights, as the studies " +
    "report). *Baseline columns: the same metric for a no-model score (sample: brain volume; " +
    "slice: brain area of the slice; pixel: the intensity, inverted for dark lesions).\n" +
    (studies
      ? "\nSeed studies (seeds > 1): each metric is the mean over seeds ± its standard deviation " +
        "over seeds (n − 1); diceSStd stays the spread over volumes. A difference between two " +
        "models smaller than these spreads is not one the runs can claim.\n"
      : "") +
    (notes.length ? `\n* degenerate, not a result: ${notes.join("; ")}\n` : "");
  const csvCell = (v: unknown) => {
    const t = String(v ?? "");
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const csv = [cols.join(","), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(","))]
    .join("\n") + "\n";
  return { md, csv, json: rows };
}

/** The lines `neurad eval` prints for one result: context, metrics beside their baselines,
 * degenerate rows and where the model does not beat its baseline. */
export function resultLines(r: EvalResult): string[] {
  const p = (v: number | undefined) => (v === undefined ? "–" : (100 * v).toFixed(2));
  const lines = [contextLine(r)];
  // What no metric shows comes first (e.g. a positive subject whose lesion vanished).
  for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
  if (r.seeds) {
    // A seed study: every metric with its spread; then the notes on the means.
    lines.push(...seedLines(r.seeds));
    for (const n of [...degenerateNotes(r), ...baselineShortfalls(r)]) lines.push(`note: ${n}`);
    return lines;
  }
  for (const x of r.rankings) {
    lines.push(
      `${x.dataset.padEnd(8)} ${x.level.padEnd(6)} AUROC ${p(x.auroc)}  AUPRC ${p(x.auprc)}` +
        (x.baseline
          ? `  (baseline ${x.baseline.name}: AUROC ${p(x.baseline.auroc)}  AUPRC ${
            p(x.baseline.auprc)
          })`
          : ""),
    );
  }
  for (const d of r.dice) {
    lines.push(
      `${d.dataset.padEnd(8)} ${d.filter.padEnd(12)} ` +
        (d.degenerate
          ? `DEGENERATE: ${d.degenerate}`
          : `DICE_T ${p(d.diceT)}  DICE_S ${p(d.diceS.mean)} ± ${p(d.diceS.std)}  (oracle ${
            d.oracle ? p(d.oracle.diceT) : "–"
          })` + (d.baseline ? `  (baseline DICE_T ${p(d.baseline.diceT)})` : "")),
    );
  }
  for (const c of r.classification) {
    const m = c.confusion;
    lines.push(
      `${c.dataset.padEnd(8)} threshold ${
        c.threshold.toPrecision(4)
      } (${c.thresholdSource}, ${c.direction})  ` + (c.degenerate
        ? `DEGENERATE: ${c.degenerate}  `
        : `accuracy ${p(c.accuracy)}  precision ${p(c.precision)}  recall ${p(c.recall)}  F1 ${
          p(c.f1)
        }  `) +
        `AUC ${p(c.auc)} (−score ${p(c.aucNegated)})  TN ${m.tn} FP ${m.fp} FN ${m.fn} TP ${m.tp}` +
        (c.baseline ? `  (baseline ${c.baseline.name}: AUC ${p(c.baseline.auc)})` : ""),
    );
  }
  for (const n of [...degenerateNotes(r), ...baselineShortfalls(r)]) lines.push(`note: ${n}`);
  return lines;
}
