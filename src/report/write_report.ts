// OUT/report.html: one self-contained page per evaluation that opens offline — inline CSS, charts
// as static SVG rendered at build time (Vega-Lite → Vega, src/report/charts/), images as PNG
// data URLs. Sections: headline, metric tables (rankings with intervals, Dice with the oracle
// labelled, healthy-FPR thresholds, lesion detection, classification), ROC / PR curves, score
// histograms, reconstruction panels, codebook usage, training curves from RUN/log.jsonl, the
// config and versions. The header and every table name the checkpoint and how thresholds were
// chosen; every metric sits beside its no-model baseline; degenerate rows show their reason in
// place of numbers, and a notes box lists them and every metric a model does not beat its
// baseline on. Built from the plain result object (eval_result.ts) and the run's log only:
// the report imports nothing from src/eval, which calls it (eval → report, one way).

import { join } from "node:path";
import type { EvalResult, RankingResult } from "./eval_result.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { pct, prChart, rocChart } from "./charts/curves.ts";
import { scoreHistogram } from "./charts/histogram.ts";
import { familyOf, trainingChart, usageChart } from "./charts/training.ts";
import { PANEL_CSS, panelsSection } from "./panels_section.ts";
import {
  baselineShortfalls,
  checkpointText,
  contextLine,
  degenerateNotes,
  thresholdText,
} from "./result_notes.ts";

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
const num = (v: number | undefined, d = 4) =>
  v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(d);
const ci = (
  c?: [number, number],
) => (c ? ` <span class="ci">[${pct(c[0])}, ${pct(c[1])}]</span>` : "");

/** A baseline value, marked when the model (first argument) does not beat it. */
const beat = (model: number, base: number) =>
  Number.isFinite(model) && Number.isFinite(base) && model <= base
    ? `<span class="unbeaten" title="the model does not beat this baseline">${pct(base)} ▲</span>`
    : pct(base);

function table(head: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")
  }</tbody></table>`;
}

async function readLog(runDir: string): Promise<Record<string, unknown>[]> {
  try {
    const text = await Deno.readTextFile(join(runDir, "log.jsonl"));
    return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

/** The score of a ranking level and its unit, for the x axis of its distribution. */
function scoreTitle(r: EvalResult, level: RankingResult["level"]): string {
  if (r.protocol === "chandru25") {
    return "image score 0.5·MSE + 0.3·VGG MSE + 0.2·(1 − D) (unitless)";
  }
  return level === "sample"
    ? "volume score: mean slice |x − x̂| (normalised intensity)"
    : level === "slice"
    ? "slice score: mean residual map (normalised intensity)"
    : "post-processed residual (normalised intensity)";
}

/** Rows shown in the report's per-subject table (every row is in per_subject.csv). */
const MAX_SUBJECT_ROWS = 500;

/** One row per test subject (2D: image): score, label, what it was called, Dice and lesion size,
 * sorted by dataset then score; a lesion the scan had and preprocessing lost is marked. */
function perSubjectTable(r: EvalResult): string {
  const rows = [...r.perSubject].sort((a, b) =>
    Number(a.seed ?? 0) - Number(b.seed ?? 0) || a.dataset.localeCompare(b.dataset) ||
    (b.score ?? 0) - (a.score ?? 0)
  );
  const has = (k: string) => rows.some((x) => x[k] !== undefined);
  const twoD = r.protocol === "chandru25";
  const cols: [string, (x: typeof rows[0]) => string | number][] = [
    [twoD ? "image" : "subject", (x) => esc(x.subject)],
    ["dataset", (x) => esc(x.dataset)],
    ["label", (x) => (x.label ? "anomalous" : "healthy")],
    [twoD ? "score" : "volume score (mean slice error)", (x) => num(x.score)],
  ];
  // A seed study lists every seed's rows.
  if (has("seed")) cols.unshift(["seed", (x) => esc(x.seed ?? "–")]);
  if (has("predicted")) {
    cols.push([
      "called",
      (x) => (x.predicted === undefined ? "–" : x.predicted ? "anomalous" : "healthy"),
    ]);
  }
  // A positive subject with no lesion voxel evaluated has no Dice to speak of (see the notes).
  const noLesion = (x: typeof rows[0]) => x.label === 1 && x.lesionVoxels === 0;
  if (has("dice")) {
    cols.push([
      "Dice %",
      (x) =>
        noLesion(x)
          ? `<span class="degenerate" title="no lesion voxel evaluated: see the notes">no lesion</span>`
          : x.dice === undefined
          ? "–"
          : pct(x.dice),
    ]);
  }
  if (has("lesionVoxels")) {
    cols.push([
      "lesion voxels (model grid, eroded brain)",
      (x) =>
        x.lesionVoxels === undefined
          ? "–"
          : x.label && !x.lesionVoxels
          ? `<span class="degenerate">0</span>`
          : x.lesionVoxels,
    ]);
  }
  if (has("lesionCm3")) {
    cols.push([
      "lesion volume (cm³)",
      (x) => (x.lesionCm3 === undefined ? "–" : num(x.lesionCm3, 3)),
    ]);
  }
  if (has("lesionVoxelsInScan")) {
    cols.push([
      "lesion voxels in the scan (where none are left)",
      (x) => x.lesionVoxelsInScan ?? "–",
    ]);
  }
  if (has("lesions")) {
    cols.push([
      "lesions detected",
      (x) => (x.lesions === undefined ? "–" : `${x.detectedLesions ?? 0} of ${x.lesions}`),
    ]);
  }
  const shown = rows.slice(0, MAX_SUBJECT_ROWS);
  return `<h2>Per subject (${rows.length} test ${twoD ? "images" : "subjects"}${
    rows.length > shown.length ? `; the first ${shown.length} shown, all in per_subject.csv` : ""
  })</h2><div class="scroll">${
    table(cols.map((c) => c[0]), shown.map((x) => cols.map((c) => c[1](x))))
  }</div>`;
}

/** A seed study's line in the header: how many seeds, and what the tables and charts show. */
function seedHeader(r: EvalResult): string {
  const s = r.seeds;
  if (!s) return "";
  return `<p><b>Seeds</b> ${s.seeds.length} (${esc(s.seeds.join(", "))}): every number in the ` +
    `tables is the mean over the seeds' runs (the spread over seeds: next section); curves, ` +
    `histograms, panels and training curves are seed ${s.shownSeed}'s</p>`;
}

/** A seed study's spread: mean ± std over seeds (n − 1) and each seed's value, per metric. */
function seedSection(s: NonNullable<EvalResult["seeds"]>): string {
  const plain = ["TN", "FP", "FN", "TP", "threshold", "false positives / volume"];
  const f = (m: string, v: number | null) =>
    v === null ? "–" : plain.includes(m) ? num(v, 3) : (100 * v).toFixed(2);
  return `<h2>Spread over ${s.seeds.length} seeds (percent unless a count or threshold)</h2>` +
    table(
      [
        "table",
        "dataset",
        "row",
        "metric",
        "mean ± std over seeds",
        ...s.seeds.map((x) => `seed ${x}`),
      ],
      s.metrics.map((m) => [
        m.table,
        esc(m.dataset),
        esc(m.row),
        esc(m.metric),
        `${f(m.metric, m.mean)} ± ${f(m.metric, m.std)}` +
        (m.degenerateSeeds?.length
          ? ` <span class="degenerate">degenerate in seed ${
            esc(m.degenerateSeeds.join(", "))
          }: left out</span>`
          : ""),
        ...m.values.map((v) => f(m.metric, v)),
      ]),
    );
}

/** The report's HTML (deterministic for a given result and log). */
export async function buildReport(r: EvalResult, log: Record<string, unknown>[]): Promise<string> {
  const parts: string[] = [];
  const headline = r.rankings.map((x) => `${x.dataset} ${x.level} AUROC ${pct(x.auroc)} %`).join(
    " · ",
  );
  const context = `<p class="context">${esc(contextLine(r))}</p>`;
  const notes = [...(r.warnings ?? []), ...degenerateNotes(r), ...baselineShortfalls(r)];
  parts.push(`<header><h1>neurad evaluation: ${esc(r.preset)} (${esc(r.mode)})</h1>
<p>${esc(r.model.name)} · ${r.model.parameters.toLocaleString("en")} parameters · protocol ${
    esc(r.protocol)
  }</p>${seedHeader(r)}<p><b>Checkpoint</b> ${esc(checkpointText(r))}</p><p><b>Thresholds</b> ${
    esc(thresholdText(r))
  }</p><p class="headline">${esc(headline)}</p>${
    notes.length
      ? `<div class="notes"><b>Read before the numbers</b><ul>${
        notes.map((n) => `<li>${esc(n)}</li>`).join("")
      }</ul></div>`
      : ""
  }</header>`);

  if (r.seeds) parts.push(seedSection(r.seeds));
  if (r.rankings.length) {
    parts.push(
      `<h2>Ranking metrics (${
        r.protocol === "chandru25" && r.mode === "faithful"
          ? "every image of the dataset, the study's test set"
          : "test split"
      }; %)</h2>${context}` + table(
        [
          "dataset",
          "level",
          "AUROC",
          "AUPRC",
          "baseline (no model)",
          "baseline AUROC",
          "baseline AUPRC",
          "positives",
          "negatives",
        ],
        r.rankings.map((x) => [
          esc(x.dataset),
          x.level,
          pct(x.auroc) + ci(x.aurocCi),
          pct(x.auprc) + ci(x.auprcCi),
          x.baseline ? esc(x.baseline.name) : "–",
          x.baseline ? beat(x.auroc, x.baseline.auroc) : "–",
          x.baseline ? beat(x.auprc, x.baseline.auprc) : "–",
          x.positives,
          x.negatives,
        ]),
      ),
    );
  }
  if (r.dice.length) {
    parts.push(
      `<h2>Segmentation (threshold chosen on the validation split)</h2>${context}` + table(
        [
          "dataset",
          "post-processing",
          "threshold (from)",
          "mask % of brain",
          "DICE_T %",
          "DICE_S % (mean ± std)",
          "baseline DICE_T % / DICE_S %",
          "oracle DICE_T % (test-optimised, not a result)",
        ],
        r.dice.map((d) => {
          const from = `${num(d.threshold)}${
            d.thresholdFrom
              ? `<br><span class="ci">${esc(d.thresholdScope ?? "")}: ${
                esc(d.thresholdFrom)
              }</span>`
              : ""
          }`;
          const base = d.baseline
            ? d.baseline.degenerate
              ? `<span class="degenerate">degenerate</span>`
              : `${pct(d.baseline.diceT)} / ${pct(d.baseline.diceS.mean)}`
            : "–";
          const cells = d.degenerate
            ? [`<span class="degenerate">degenerate: ${esc(d.degenerate)}</span>`, "–"]
            : [pct(d.diceT), `${pct(d.diceS.mean)} ± ${pct(d.diceS.std)}${ci(d.diceS.ci)}`];
          return [
            esc(d.dataset),
            esc(d.filter) +
            (d.minComponentSize
              ? `<br><span class="ci">DICE_S without components under ${d.minComponentSize} voxels</span>`
              : ""),
            from,
            d.maskFraction === undefined ? "–" : pct(d.maskFraction),
            ...cells,
            base,
            d.oracle
              ? `<span class="oracle">${pct(d.oracle.diceT)} at ${num(d.oracle.threshold)}</span>`
              : "–",
          ];
        }),
      ),
    );
  }
  if (r.fprThresholds.length) {
    parts.push(
      `<h2>Thresholds at a fixed healthy false-positive rate</h2>${context}` + table(
        ["dataset", "target FPR", "threshold", "test FPR", "TPR"],
        r.fprThresholds.map((
          f,
        ) => [esc(f.dataset), pct(f.fpr), num(f.threshold), pct(f.testFpr), pct(f.tpr)]),
      ),
    );
  }
  if (r.lesionDetection.length) {
    parts.push(
      `<h2>Lesion-level detection (at the main validation threshold)</h2>${context}` + table(
        ["dataset", "lesions", "size", "detected", "sensitivity %", "false positives / volume"],
        r.lesionDetection.map((l) => [
          esc(l.dataset),
          l.lesions,
          esc(l.stratum),
          l.degenerate ? `<span class="degenerate">degenerate threshold</span>` : l.detected,
          l.degenerate ? "–" : pct(l.sensitivity),
          l.degenerate ? "–" : num(l.falsePositivesPerVolume, 2),
        ]),
      ),
    );
  }
  for (const c of r.classification) {
    const b = c.baseline;
    const metrics = c.degenerate
      ? [`<span class="degenerate">degenerate: ${esc(c.degenerate)}</span>`, "–", "–", "–"]
      : [pct(c.accuracy), pct(c.precision), pct(c.recall), pct(c.f1)];
    parts.push(
      `<h2>Classification: ${esc(c.dataset)} (threshold ${num(c.threshold)}, ${
        esc(c.thresholdSource)
      }, ${esc(c.direction)})</h2>${context}` + table(
        ["", "accuracy", "precision", "recall", "F1", "AUC", "AUC of −score"],
        [
          ["model", ...metrics, pct(c.auc), pct(c.aucNegated)],
          ...(b
            ? [[
              `baseline: ${esc(b.name)}${
                b.threshold !== undefined ? ` (threshold ${num(b.threshold)} from validation)` : ""
              }`,
              b.accuracy === undefined ? "–" : pct(b.accuracy),
              "–",
              "–",
              b.f1 === undefined ? "–" : pct(b.f1),
              beat(c.auc, b.auc),
              "–",
            ]]
            : []),
        ],
      ) + table(["", "predicted healthy", "predicted anomalous"], [
        ["healthy", c.confusion.tn, c.confusion.fp],
        ["anomalous", c.confusion.fn, c.confusion.tp],
      ]),
    );
  }

  const charts: string[] = [];
  for (const level of ["sample", "slice", "pixel"] as const) {
    const rows = r.rankings.filter((x) => x.level === level);
    if (!rows.length) continue;
    charts.push(await rocChart(rows, `${level}-wise ROC`), await prChart(rows, `${level}-wise PR`));
  }
  if (charts.length) parts.push(`<h2>Curves</h2><div class="charts">${charts.join("")}</div>`);
  const hists: string[] = [];
  for (
    const x of r.rankings.filter((x: RankingResult) =>
      x.level !== "pixel" || x.threshold !== undefined
    )
  ) {
    if (x.scores.healthy.length + x.scores.anomalous.length) {
      hists.push(await scoreHistogram(x, scoreTitle(r, x.level), r.protocol === "chandru25"));
    }
  }
  if (hists.length) {
    parts.push(
      `<h2>Score distributions</h2><p class="context">Histograms show each group's share of its ` +
        `own items per bin (a group's bars sum to 100 %), from an even sample where a group ` +
        `has more items than the result keeps; a handful of subjects is one dot each.</p>` +
        `<div class="charts">${hists.join("")}</div>`,
    );
  }

  if (r.panels.length) parts.push(panelsSection(r));
  if (r.perSubject.length) parts.push(perSubjectTable(r));
  if (r.codebookUsage?.length) {
    parts.push(`<h2>Codebook usage</h2>${await usageChart(r.codebookUsage)}`);
  }
  const train = await trainingChart(log, familyOf(r.model.name));
  if (train) parts.push(`<h2>Training curves (log.jsonl)</h2>${train}`);
  parts.push(
    `<h2>Evaluation settings</h2>` + table(
      ["setting", "value"],
      Object.entries(r.settings).map(([k, v]) => [esc(k), esc(v)]),
    ),
  );
  parts.push(
    `<h2>Configuration and versions</h2><p>neurad ${esc(r.versions.neurad)} · Deno ${
      esc(r.versions.deno)
    } · adapter ${esc(r.versions.adapter)} · ${num(r.timing.seconds, 1)} s (${
      num(r.timing.itemsPerSecond, 2)
    } ${r.protocol === "chandru25" ? "images" : "volumes"}/s)</p><pre>${
      esc(JSON.stringify(r.config, null, 2))
    }</pre>`,
  );

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>neurad: ${esc(r.preset)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .ci { color: #777; font-size: 12px; } .oracle { color: #a33; }
.headline { font-weight: bold; } .charts { display: flex; flex-wrap: wrap; gap: 12px; }
.context { color: #555; font-size: 12px; margin: 2px 0; } .degenerate { color: #a33; font-weight: bold; }
.unbeaten { color: #a33; font-weight: bold; } .notes { border: 1px solid #d99; background: #fff6f6; padding: 4px 12px; }
.scroll { max-height: 480px; overflow: auto; display: inline-block; }
img { image-rendering: pixelated; }${PANEL_CSS} pre { background: #f7f7f7; padding: 8px; font-size: 12px; overflow: auto; }
</style></head><body>
${parts.join("\n")}
</body></html>
`;
}

/** Writes OUT/report.html (atomically) and returns its path. */
export async function writeReport(r: EvalResult, runDir: string, outDir: string): Promise<string> {
  const html = await buildReport(r, await readLog(runDir));
  const path = join(outDir, "report.html");
  await writeTextFileAtomic(path, html);
  return path;
}
