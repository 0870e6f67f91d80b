// What a reader must know beside an evaluation's numbers, worded once for the report, the
// comparison tables and the command line: which checkpoint and which threshold scope produced
// them, which rows are degenerate (a threshold marking most of the brain, or one class for every
// image), and where a model does not beat its no-model baseline. Reads the plain result only.

import type { EvalResult } from "./eval_result.ts";

const pct = (v: number) => `${(100 * v).toFixed(2)} %`;

/** "best (lowest validation loss ...)" or "last (...)": the checkpoint and why. */
export function checkpointText(r: EvalResult): string {
  const d = r.checkpointDetail;
  return d ? `${r.checkpoint}: ${d.note}` : `${r.checkpoint} (how it was chosen is not recorded)`;
}

/** How the thresholds of the tables were chosen. */
export function thresholdText(r: EvalResult): string {
  if (r.protocol === "chandru25") {
    const c = r.classification[0];
    const how = c?.thresholdSource === "study"
      ? "the study's fixed threshold 8 (chosen by the study on its test scores)"
      : "Youden's J on the validation images";
    return `one image threshold for every anomalous class: ${how}`;
  }
  return r.thresholdScope === "per-dataset"
    ? "per dataset: each dataset's thresholds from its own validation subjects"
    : "pooled: one threshold from every pathological validation subject, for every dataset";
}

/** One line for every table: checkpoint and thresholds. */
export function contextLine(r: EvalResult): string {
  const scope = r.protocol === "chandru25" ? "one for every class" : r.thresholdScope ?? "pooled";
  const step = r.checkpointDetail ? ` (step ${r.checkpointDetail.step})` : "";
  return `checkpoint ${r.checkpoint}${step} · thresholds ${scope}`;
}

/** The rows that are not results, with their reasons. */
export function degenerateNotes(r: EvalResult): string[] {
  return [
    ...r.dice.filter((d) => d.degenerate).map((d) =>
      `${d.dataset} ${d.filter} is degenerate: ${d.degenerate}`
    ),
    ...r.dice.filter((d) => d.baseline?.degenerate).map((d) =>
      `${d.dataset} baseline ${d.filter} is degenerate: ${d.baseline!.degenerate}`
    ),
    ...r.classification.filter((c) => c.degenerate).map((c) =>
      `${c.dataset} classification is degenerate: ${c.degenerate}`
    ),
  ];
}

/** Every metric where the model does not beat its no-model baseline (ties included). */
export function baselineShortfalls(r: EvalResult): string[] {
  const out: string[] = [];
  const check = (what: string, model: number, base: number | undefined, name: string) => {
    if (base === undefined || !Number.isFinite(model) || !Number.isFinite(base)) return;
    if (model <= base) {
      out.push(
        `${what}: the model (${pct(model)}) does not beat its baseline, ${name} (${pct(base)})`,
      );
    }
  };
  for (const x of r.rankings) {
    if (!x.baseline) continue;
    check(`${x.dataset} ${x.level}-wise AUROC`, x.auroc, x.baseline.auroc, x.baseline.name);
    check(`${x.dataset} ${x.level}-wise AUPRC`, x.auprc, x.baseline.auprc, x.baseline.name);
  }
  for (const d of r.dice) {
    // A degenerate row, the model's or the baseline's, is no result to compare.
    if (!d.baseline || d.degenerate || d.baseline.degenerate) continue;
    check(`${d.dataset} DICE_T (${d.filter})`, d.diceT, d.baseline.diceT, d.baseline.name);
    check(
      `${d.dataset} DICE_S (${d.filter})`,
      d.diceS.mean,
      d.baseline.diceS.mean,
      d.baseline.name,
    );
  }
  for (const c of r.classification) {
    // The AUC is the image ranking's AUROC, checked above.
    if (!c.baseline || c.degenerate) continue;
    check(`${c.dataset} accuracy`, c.accuracy, c.baseline.accuracy, c.baseline.name);
    check(`${c.dataset} F1`, c.f1, c.baseline.f1, c.baseline.name);
  }
  return out;
}
