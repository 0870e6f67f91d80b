// `neurad eval --run RUN` on a seed study (RUN/seeds.json, src/train/seed_study.ts): evaluates
// every seed's run as a run (RUN/seed-N/eval/, or OUT/seed-N/ with --out; RUN/seed-N/
// thresholds.json) with the same options, then writes the study's evaluation to RUN/eval (or --out): eval.json with every
// table's numbers as means over the seeds and the spread of each (mean ± std and each seed's
// value; src/eval/seed_summary.ts), per_subject.csv with every seed's rows and a seed column,
// and report.html, whose header says how many seeds it summarises. A seed whose training is not
// done is refused in one line: a study's spread is over finished runs only.

import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { writeReport } from "../report/write_report.ts";
import type { EvalResult } from "../report/eval_result.ts";
import type { SeedStudyManifest } from "../train/seed_study.ts";
import { type EvalOptions, type EvalOutput, perSubjectCsv, runEval } from "./run_eval.ts";
import { summarizeSeeds } from "./seed_summary.ts";

export interface SeedEvalOutput extends EvalOutput {
  /** Each seed's own evaluation, in the manifest's order. */
  perSeed: EvalOutput[];
}

/** Evaluates each seed of the study in `o.runDir` and writes the study's evaluation. */
export async function runSeedStudyEval(
  manifest: SeedStudyManifest,
  o: EvalOptions,
): Promise<SeedEvalOutput> {
  const write = o.write ?? ((s: string) => console.error(s));
  const notDone = manifest.runs.filter((r) => r.status !== "done");
  if (notDone.length) {
    throw new UserError(
      `${join(o.runDir, "seeds.json")}: seed${notDone.length > 1 ? "s" : ""} ${
        notDone.map((r) => `${r.seed} (${r.status})`).join(", ")
      } not done; finish with neurad train --resume ${o.runDir}`,
    );
  }
  const perSeed: EvalOutput[] = [];
  for (const [i, r] of manifest.runs.entries()) {
    const runDir = join(o.runDir, r.dir);
    if (!o.quiet) {
      write(`seed ${r.seed} (${i + 1} of ${manifest.runs.length}): evaluating ${runDir}`);
    }
    // With --out, each seed's evaluation goes beside the study's (OUT/seed-N), so evaluating a
    // study a second way (e.g. --faithful) keeps the first; its thresholds go to its run as ever.
    const outDir = o.outDir === undefined ? undefined : join(o.outDir, r.dir);
    perSeed.push(await runEval({ ...o, runDir, outDir }));
  }
  const results: EvalResult[] = perSeed.map((p) => p.result);
  const result = summarizeSeeds(results, manifest.seeds, o.runDir);
  const out = o.outDir ?? join(o.runDir, "eval");
  await Deno.mkdir(out, { recursive: true });
  await writeTextFileAtomic(join(out, "eval.json"), JSON.stringify(result, null, 1));
  await writeTextFileAtomic(join(out, "per_subject.csv"), perSubjectCsv(result));
  // The training curves shown are the first seed's, like the curves and panels.
  const reportPath = o.report === false
    ? undefined
    : await writeReport(result, join(o.runDir, manifest.runs[0].dir), out);
  return { result, outDir: out, reportPath, perSeed };
}
