// A seed study's evaluation from its seeds' evaluations (pure; no GPU, no files): every metric of
// every table as the mean over seeds with its sample standard deviation (n − 1) and each seed's
// value (SeedSpread in eval_result.ts), and one EvalResult whose tables hold those means, so the
// report, the comparison tables and `neurad eval`'s lines show the study like a run, with the
// spread beside. A degenerate row (a threshold marking most of the brain, or one class for
// every image) is no result: its seed's value is left out of the mean and the study's row says
// in which seeds it was degenerate. Curves, histograms and panels cannot be averaged: they are
// the first seed's, and the result says so.

import type {
  ClassificationResult,
  DiceResult,
  EvalResult,
  SeedMetric,
  SeedSpread,
} from "../report/eval_result.ts";

/** Mean and sample standard deviation (n − 1) of the values that are numbers. */
export function meanStd(values: (number | null)[]): { mean: number | null; std: number | null } {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { mean: null, std: null };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return { mean, std: null };
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (v.length - 1)) };
}

type Key = Pick<SeedMetric, "table" | "dataset" | "row" | "metric">;
const keyText = (k: Key) => `${k.table}\u0000${k.dataset}\u0000${k.row}\u0000${k.metric}`;

/** Collects every metric of every seed's result, keyed by table, dataset, row and metric. */
class Collector {
  readonly order: Key[] = [];
  readonly values = new Map<string, (number | null)[]>();
  readonly degenerate = new Map<string, number[]>();

  constructor(readonly seeds: number[]) {}

  add(k: Key, seedIndex: number, value: number | undefined, degenerate = false) {
    const t = keyText(k);
    if (!this.values.has(t)) {
      this.order.push(k);
      this.values.set(t, this.seeds.map(() => null));
    }
    // NaN (e.g. false positives of a lesion-size stratum) is no value either.
    const none = degenerate || value === undefined || !Number.isFinite(value);
    this.values.get(t)![seedIndex] = none ? null : value;
    if (degenerate) {
      const d = this.degenerate.get(t) ?? [];
      d.push(this.seeds[seedIndex]);
      this.degenerate.set(t, d);
    }
  }

  metrics(): SeedMetric[] {
    return this.order.map((k) => {
      const t = keyText(k);
      const values = this.values.get(t)!;
      const d = this.degenerate.get(t);
      return { ...k, ...meanStd(values), values, ...(d ? { degenerateSeeds: d } : {}) };
    });
  }
}

/** Every metric of the seeds' results with its spread (results in the order of `seeds`). */
export function seedMetrics(results: EvalResult[], seeds: number[]): SeedMetric[] {
  const c = new Collector(seeds);
  results.forEach((r, i) => {
    for (const x of r.rankings) {
      const k = { table: "ranking" as const, dataset: x.dataset, row: x.level };
      c.add({ ...k, metric: "AUROC" }, i, x.auroc);
      c.add({ ...k, metric: "AUPRC" }, i, x.auprc);
      if (x.baseline) {
        c.add({ ...k, metric: "baseline AUROC" }, i, x.baseline.auroc);
        c.add({ ...k, metric: "baseline AUPRC" }, i, x.baseline.auprc);
      }
    }
    for (const d of r.dice) {
      const k = { table: "dice" as const, dataset: d.dataset, row: d.filter };
      const deg = d.degenerate !== undefined;
      c.add({ ...k, metric: "DICE_T" }, i, d.diceT, deg);
      c.add({ ...k, metric: "DICE_S" }, i, d.diceS.mean, deg);
      c.add({ ...k, metric: "threshold" }, i, d.threshold);
      c.add({ ...k, metric: "mask share of the brain" }, i, d.maskFraction);
      if (d.baseline) {
        const bd = d.baseline.degenerate !== undefined;
        c.add({ ...k, metric: "baseline DICE_T" }, i, d.baseline.diceT, bd);
        c.add({ ...k, metric: "baseline DICE_S" }, i, d.baseline.diceS.mean, bd);
      }
    }
    for (const x of r.classification) {
      const k = { table: "classification" as const, dataset: x.dataset, row: "image" };
      const deg = x.degenerate !== undefined;
      for (const [metric, v] of CLASSIFICATION_METRICS(x)) {
        // AUC ranks every image without the threshold: a degenerate threshold does not touch it.
        c.add({ ...k, metric }, i, v, deg && !metric.includes("AUC") && metric !== "threshold");
      }
      if (x.baseline) {
        c.add({ ...k, metric: "baseline AUC" }, i, x.baseline.auc);
        c.add({ ...k, metric: "baseline accuracy" }, i, x.baseline.accuracy);
        c.add({ ...k, metric: "baseline F1" }, i, x.baseline.f1);
      }
    }
    for (const f of r.fprThresholds) {
      const k = { table: "fpr" as const, dataset: f.dataset, row: `FPR ${100 * f.fpr} %` };
      c.add({ ...k, metric: "test FPR" }, i, f.testFpr);
      c.add({ ...k, metric: "TPR" }, i, f.tpr);
    }
    for (const l of r.lesionDetection) {
      const k = { table: "detection" as const, dataset: l.dataset, row: l.stratum };
      const deg = l.degenerate !== undefined;
      c.add({ ...k, metric: "sensitivity" }, i, l.sensitivity, deg);
      c.add({ ...k, metric: "false positives / volume" }, i, l.falsePositivesPerVolume, deg);
    }
  });
  return c.metrics();
}

const CLASSIFICATION_METRICS = (x: ClassificationResult): [string, number][] => [
  ["accuracy", x.accuracy],
  ["precision", x.precision],
  ["recall", x.recall],
  ["F1", x.f1],
  ["AUC", x.auc],
  ["AUC of −score", x.aucNegated],
  ["threshold", x.threshold],
  ["TN", x.confusion.tn],
  ["FP", x.confusion.fp],
  ["FN", x.confusion.fn],
  ["TP", x.confusion.tp],
];

/**
 * The study's result: the first seed's result with every table's numbers replaced by their
 * means over seeds (a row degenerate in any seed is flagged, naming the seeds), bootstrap
 * intervals dropped (they are one seed's), per-subject rows of every seed with a `seed` column,
 * and the spread in `seeds`.
 */
export function summarizeSeeds(
  results: EvalResult[],
  seeds: number[],
  studyDir: string,
): EvalResult {
  if (results.length === 0 || results.length !== seeds.length) {
    throw new Error(`summarizeSeeds: ${results.length} results for ${seeds.length} seeds`);
  }
  const metrics = seedMetrics(results, seeds);
  const find = (table: SeedMetric["table"], dataset: string, row: string, metric: string) =>
    metrics.find((m) =>
      m.table === table && m.dataset === dataset && m.row === row && m.metric === metric
    );
  const mean = (
    table: SeedMetric["table"],
    dataset: string,
    row: string,
    metric: string,
    fallback: number,
  ) => find(table, dataset, row, metric)?.mean ?? fallback;
  const degenerateIn = (table: SeedMetric["table"], dataset: string, row: string, m: string) => {
    const d = find(table, dataset, row, m)?.degenerateSeeds;
    return d?.length
      ? `degenerate in seed${d.length > 1 ? "s" : ""} ${d.join(", ")} of ${seeds.length}`
      : undefined;
  };
  const first = results[0];
  const dice = (d: DiceResult): DiceResult => {
    const m = (metric: string, v: number) => mean("dice", d.dataset, d.filter, metric, v);
    const reason = degenerateIn("dice", d.dataset, d.filter, "DICE_T");
    const seedReasons = results.map((r) =>
      r.dice.find((x) => x.dataset === d.dataset && x.filter === d.filter)?.degenerate
    ).filter(Boolean);
    const baseReason = degenerateIn("dice", d.dataset, d.filter, "baseline DICE_T");
    return {
      ...d,
      threshold: m("threshold", d.threshold),
      diceT: m("DICE_T", d.diceT),
      // The per-volume spread (± std) of each seed, averaged; the spread over seeds is in `seeds`.
      diceS: {
        mean: m("DICE_S", d.diceS.mean),
        std: averageOf(
          results.map((r) =>
            r.dice.find((x) => x.dataset === d.dataset && x.filter === d.filter)?.diceS.std
          ),
        ) ?? d.diceS.std,
      },
      oracle: undefined,
      maskFraction: d.maskFraction === undefined
        ? undefined
        : m("mask share of the brain", d.maskFraction),
      validationMaskFraction: undefined,
      degenerate: reason ? `${reason} (${seedReasons[0]})` : undefined,
      baseline: d.baseline && {
        ...d.baseline,
        diceT: m("baseline DICE_T", d.baseline.diceT),
        diceS: { mean: m("baseline DICE_S", d.baseline.diceS.mean), std: d.baseline.diceS.std },
        degenerate: baseReason,
      },
    };
  };
  const checkpoints = results.map((r, i) =>
    `seed ${seeds[i]}: ${r.checkpoint} (step ${r.checkpointDetail?.step ?? "?"})`
  );
  const note = `every seed's ${first.checkpointDetail?.requested ?? first.checkpoint} ` +
    `checkpoint, ${checkpoints.join(", ")}`;
  return {
    ...first,
    run: studyDir,
    checkpointDetail: first.checkpointDetail && { ...first.checkpointDetail, note },
    settings: { ...first.settings, seeds: seeds.join(", ") },
    rankings: first.rankings.map((x) => {
      const m = (metric: string, v: number) => mean("ranking", x.dataset, x.level, metric, v);
      return {
        ...x,
        auroc: m("AUROC", x.auroc),
        auprc: m("AUPRC", x.auprc),
        aurocCi: undefined,
        auprcCi: undefined,
        baseline: x.baseline && {
          ...x.baseline,
          auroc: m("baseline AUROC", x.baseline.auroc),
          auprc: m("baseline AUPRC", x.baseline.auprc),
        },
      };
    }),
    dice: first.dice.map(dice),
    fprThresholds: first.fprThresholds.map((f) => {
      const row = `FPR ${100 * f.fpr} %`;
      return {
        ...f,
        testFpr: mean("fpr", f.dataset, row, "test FPR", f.testFpr),
        tpr: mean("fpr", f.dataset, row, "TPR", f.tpr),
        dice: undefined,
      };
    }),
    lesionDetection: first.lesionDetection.map((l) => {
      const reason = degenerateIn("detection", l.dataset, l.stratum, "sensitivity");
      return {
        ...l,
        detected: Math.round(
          results.reduce((a, r) =>
            a +
            (r.lesionDetection.find((x) => x.dataset === l.dataset && x.stratum === l.stratum)
              ?.detected ?? 0), 0) / results.length,
        ),
        sensitivity: mean("detection", l.dataset, l.stratum, "sensitivity", l.sensitivity),
        falsePositivesPerVolume: mean(
          "detection",
          l.dataset,
          l.stratum,
          "false positives / volume",
          l.falsePositivesPerVolume,
        ),
        degenerate: reason,
      };
    }),
    classification: first.classification.map((x) => {
      const m = (metric: string, v: number) =>
        mean("classification", x.dataset, "image", metric, v);
      const reason = degenerateIn("classification", x.dataset, "image", "accuracy");
      const seedReason = results.map((r) =>
        r.classification.find((y) => y.dataset === x.dataset)?.degenerate
      ).find(Boolean);
      return {
        ...x,
        threshold: m("threshold", x.threshold),
        accuracy: m("accuracy", x.accuracy),
        precision: m("precision", x.precision),
        recall: m("recall", x.recall),
        f1: m("F1", x.f1),
        auc: m("AUC", x.auc),
        aucNegated: m("AUC of −score", x.aucNegated),
        confusion: {
          tn: m("TN", x.confusion.tn),
          fp: m("FP", x.confusion.fp),
          fn: m("FN", x.confusion.fn),
          tp: m("TP", x.confusion.tp),
        },
        degenerate: reason ? `${reason} (${seedReason})` : undefined,
        baseline: x.baseline && {
          ...x.baseline,
          auc: m("baseline AUC", x.baseline.auc),
          accuracy: x.baseline.accuracy === undefined
            ? undefined
            : m("baseline accuracy", x.baseline.accuracy),
          f1: x.baseline.f1 === undefined ? undefined : m("baseline F1", x.baseline.f1),
        },
      };
    }),
    perSubject: results.flatMap((r, i) => r.perSubject.map((row) => ({ seed: seeds[i], ...row }))),
    timing: {
      seconds: results.reduce((a, r) => a + r.timing.seconds, 0),
      itemsPerSecond: averageOf(results.map((r) => r.timing.itemsPerSecond)) ?? 0,
    },
    seeds: { seeds, runs: results.map((r) => r.run), shownSeed: seeds[0], metrics },
  };
}

function averageOf(v: (number | undefined)[]): number | undefined {
  const n = v.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return n.length ? n.reduce((a, b) => a + b, 0) / n.length : undefined;
}

/** "85.30 ± 1.20 [84.10, 86.50, 85.30]" in percent (counts and thresholds as they are). */
export function spreadText(m: SeedMetric): string {
  const plain = ["TN", "FP", "FN", "TP", "threshold", "false positives / volume"].includes(
    m.metric,
  );
  const f = (v: number | null) =>
    v === null ? "–" : plain ? String(Math.round(v * 1000) / 1000) : (100 * v).toFixed(2);
  const deg = m.degenerateSeeds?.length
    ? `  (degenerate in seed${m.degenerateSeeds.length > 1 ? "s" : ""} ${
      m.degenerateSeeds.join(", ")
    }: left out)`
    : "";
  return `${f(m.mean)} ± ${f(m.std)} [${m.values.map(f).join(", ")}]${deg}`;
}

/** The lines `neurad eval` prints for a seed study's spread: one per metric of the tables. */
export function seedLines(s: SeedSpread): string[] {
  const lines = [
    `${s.seeds.length} seeds (${s.seeds.join(", ")}): mean ± std over seeds (n − 1) ` +
    `[each seed's value]; percent unless a count or threshold`,
  ];
  for (const m of s.metrics) {
    if (m.metric === "threshold" || m.metric === "mask share of the brain") continue;
    if (m.values.every((v) => v === null) && !m.degenerateSeeds) continue; // no value in any seed
    lines.push(
      `${m.dataset.padEnd(8)} ${m.row.padEnd(12)} ${m.metric.padEnd(16)} ${spreadText(m)}`,
    );
  }
  return lines;
}
