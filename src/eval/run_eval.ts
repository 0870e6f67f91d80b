// `neurad eval` end to end: open the run (config + checkpoint, eval mode), run the protocol of its
// data kind on the validation and test splits, and write OUT/eval.json (EvalResult),
// OUT/per_subject.csv, RUN/thresholds.json (for `neurad detect`) and OUT/report.html — every file
// atomically. Several runs at once also give OUT/comparison.{md,csv,json}.

import { deviceInfo, getDevice } from "../device.ts";
import { openRun } from "../train/open_run.ts";
import { UserError } from "../util/errors.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import { writeReport } from "../report/write_report.ts";
import type { EvalResult } from "./eval_result.ts";
import { evaluateReddipalli22 } from "./protocols/reddipalli22.ts";
import type { ResidualKind } from "./reconstruct.ts";

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
  report?: boolean;
  quiet?: boolean;
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
    if (run.config.data.kind !== "nifti") {
      throw new UserError(
        `${o.runDir}: the second study's image-level protocol (2D class folders) is not in this ` +
          "build yet; `neurad eval` evaluates NIfTI runs",
      );
    }
    const { body, thresholds } = await evaluateReddipalli22(run, {
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
      protocol: "reddipalli22",
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
