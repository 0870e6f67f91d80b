// `neurad eval` end to end: open the run (config + checkpoint, eval mode), run the protocol of its
// data kind (NIfTI: the first study's, protocols/reddipalli22.ts; 2D class folders: the second
// study's, protocols/chandru25.ts) and write OUT/eval.json (EvalResult), OUT/per_subject.csv,
// RUN/thresholds.json (the chosen threshold; `neurad detect` reads a NIfTI run's, in the format of
// stored_thresholds.ts) and OUT/report.html — every file atomically. Several runs at once also give
// OUT/comparison.{md,csv,json}.

import { deviceInfo, getDevice } from "../core/device.ts";
import { openRun } from "../train/open_run.ts";
import { UserError } from "../core/errors.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import { writeReport } from "../report/write_report.ts";
import type { EvalResult } from "../report/eval_result.ts";
import { evaluateReddipalli22 } from "./protocols/reddipalli22.ts";
import type { StoredThresholds } from "./stored_thresholds.ts";
import { type Chandru25Thresholds, evaluateChandru25 } from "./protocols/chandru25.ts";
import type { ResidualKind } from "./scoring/reconstruct.ts";

export interface EvalOptions {
  runDir: string;
  outDir?: string;
  dataDir?: string;
  checkpoint?: "best" | "last";
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
  const run = await openRun(o.runDir, { checkpoint: o.checkpoint ?? "best" });
  try {
    const twoD = run.config.data.kind === "images2d";
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
        quiet: o.quiet,
      });
    const seconds = (performance.now() - t0) / 1000;
    const volumes = new Set(body.perSubject?.map((r) => r.subject)).size;
    const info = deviceInfo();
    const result: EvalResult = {
      run: o.runDir,
      checkpoint: o.checkpoint ?? "best",
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
      timing: { seconds, itemsPerSecond: volumes / seconds },
      versions: {
        neurad: NEURAD_VERSION,
        deno: Deno.version.deno,
        adapter: `${info.description} (${info.backend})`,
      },
      config: run.config as unknown as Record<string, unknown>,
    };
    const out = o.outDir ?? `${o.runDir}/eval`;
    await Deno.mkdir(out, { recursive: true });
    await writeTextFileAtomic(`${out}/eval.json`, JSON.stringify(result, null, 1));
    await writeTextFileAtomic(`${out}/per_subject.csv`, perSubjectCsv(result));
    await writeTextFileAtomic(`${o.runDir}/thresholds.json`, JSON.stringify(thresholds, null, 2));
    const reportPath = o.report === false ? undefined : await writeReport(result, o.runDir, out);
    return { result, outDir: out, reportPath };
  } finally {
    run.model.dispose();
    run.discriminator?.dispose();
  }
}

function perSubjectCsv(r: EvalResult): string {
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

/** The studies' comparison table (model, ED, EV, metrics per dataset) over several results. */
export function comparisonTables(
  results: EvalResult[],
): { md: string; csv: string; json: unknown } {
  const rows = results.flatMap((r) => {
    const o = r.model.options as Record<string, unknown>;
    const datasets = [...new Set(r.rankings.map((x) => x.dataset))];
    return datasets.map((ds) => {
      const get = (level: string) => r.rankings.find((x) => x.dataset === ds && x.level === level);
      const dice = r.dice.find((d) => d.dataset === ds);
      return {
        run: r.run,
        model: r.model.name,
        mode: r.mode,
        ED: o.embedDim ?? o.latentDim ?? "",
        EV: o.numCodes ?? "",
        dataset: ds,
        sampleAUROC: get("sample")?.auroc,
        sampleAUPRC: get("sample")?.auprc,
        sliceAUROC: get("slice")?.auroc,
        sliceAUPRC: get("slice")?.auprc,
        pixelAUROC: get("pixel")?.auroc,
        pixelAUPRC: get("pixel")?.auprc,
        diceT: dice?.diceT,
        diceSMean: dice?.diceS.mean,
        diceSStd: dice?.diceS.std,
      };
    });
  });
  const cols = Object.keys(rows[0] ?? { run: "" });
  const fmt = (v: unknown) => (typeof v === "number" ? (100 * v).toFixed(2) : String(v ?? ""));
  const md = [
    `| ${cols.join(" | ")} |`,
    `| ${cols.map(() => "---").join(" | ")} |`,
    ...rows.map((r) =>
      `| ${
        cols.map((c) => (["run", "model", "mode", "ED", "EV", "dataset"].includes(c)
          ? String((r as Record<string, unknown>)[c])
          : fmt((r as Record<string, unknown>)[c]))
        ).join(" | ")
      } |`
    ),
  ].join("\n") + "\n\nMetrics in percent; thresholds chosen on validation data.\n";
  const csv = [
    cols.join(","),
    ...rows.map((r) => cols.map((c) => String((r as Record<string, unknown>)[c] ?? "")).join(",")),
  ]
    .join("\n") + "\n";
  return { md, csv, json: rows };
}
