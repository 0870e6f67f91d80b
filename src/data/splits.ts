/**
 * Subject-level splits and the manifest that records them. Healthy subjects go 70/10/20 to
 * train/val/test, but validation and test each get at least `minHealthy` healthy subjects (default
 * 3 each: the healthy-FPR and volume thresholds are calibrated on the healthy validation subjects,
 * and healthy test subjects are the negatives of the sample-wise ranking), taken from the training
 * share; when the data has too few healthy subjects for that and one training subject, the plain
 * 70/10/20 split is kept and one warning line says so. Pathological subjects go 1/3 val, 2/3 test
 * (never train: the models are unsupervised). Subjects are sorted by id before a seeded shuffle,
 * so the split depends only on the ids, the seed and the minimums. The manifest keeps each file's
 * sha256 so a run can check it sees the same data.
 * @module
 */
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { DataError } from "./data_error.ts";
import type { Subject } from "./layouts/subject.ts";
import { Prng } from "../core/prng.ts";
import { sha256File } from "./sha256.ts";

/** Which side of the split a subject is on. */
export type SplitName = "train" | "val" | "test";

/** One subject in the manifest. */
export interface ManifestEntry extends Subject {
  split: SplitName;
  sha256: { image: string; mask?: string };
}

/** A saved split: enough to reproduce and verify a run's data. */
export interface Manifest {
  format: "neurad-split-manifest";
  version: 1;
  seed: number;
  subjects: ManifestEntry[];
}

/** Healthy subjects that validation and test each get at least, when the data has them. */
export const MIN_HEALTHY_PER_SPLIT: Readonly<{ val: number; test: number }> = { val: 3, test: 3 };

/** Options of {@link assignSplits}. */
export interface SplitOptions {
  /** Least healthy subjects in val and in test (default {@link MIN_HEALTHY_PER_SPLIT}). */
  minHealthy?: { val: number; test: number };
  /** Where the one warning line goes when the data cannot provide the minimums (default
   * stderr). */
  warn?: (line: string) => void;
}

/** Healthy subjects per split: 70/10/20, raised to the minimums from the training share. */
export function healthySplitSizes(
  n: number,
  min: { val: number; test: number } = MIN_HEALTHY_PER_SPLIT,
): { train: number; val: number; test: number; meetsMinimum: boolean } {
  for (const [k, v] of Object.entries(min)) {
    if (!Number.isInteger(v) || v < 0) {
      throw new Error(`healthySplitSizes(): minHealthy.${k} ${v} must be a non-negative integer`);
    }
  }
  const train = Math.round(0.7 * n), val = Math.round(0.1 * n), test = n - train - val;
  if (val >= min.val && test >= min.test) return { train, val, test, meetsMinimum: true };
  if (n < min.val + min.test + 1) return { train, val, test, meetsMinimum: false };
  const v = Math.max(val, min.val), t = Math.max(test, min.test);
  return { train: n - v - t, val: v, test: t, meetsMinimum: true };
}

/** Assigns each subject a split (seeded; by id, so file order does not matter). */
export function assignSplits(
  subjects: Subject[],
  seed: number,
  o: SplitOptions = {},
): Map<string, SplitName> {
  const out = new Map<string, SplitName>();
  const rng = new Prng(seed);
  const byId = (a: Subject, b: Subject) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const healthy = rng.shuffle(subjects.filter((s) => !s.pathological).sort(byId));
  const sick = rng.shuffle(subjects.filter((s) => s.pathological).sort(byId));
  const min = o.minHealthy ?? MIN_HEALTHY_PER_SPLIT;
  const n = healthySplitSizes(healthy.length, min);
  if (!n.meetsMinimum && healthy.length > 0) {
    const warn = o.warn ?? ((l: string) => console.error(l));
    warn(
      `warning: ${healthy.length} healthy subject${healthy.length === 1 ? "" : "s"} cannot ` +
        `give validation ${min.val} and test ` +
        `${min.test} healthy subjects with one left to train on; kept 70/10/20 (` +
        `${n.train}/${n.val}/${n.test}): thresholds calibrated on ${n.val} healthy validation ` +
        `subject${n.val === 1 ? "" : "s"}`,
    );
  }
  healthy.forEach((s, i) =>
    out.set(s.id, i < n.train ? "train" : i < n.train + n.val ? "val" : "test")
  );
  const nSickVal = Math.round(sick.length / 3);
  sick.forEach((s, i) => out.set(s.id, i < nSickVal ? "val" : "test"));
  return out;
}

/** Builds a manifest: splits plus the sha256 of every input file. */
export async function buildManifest(
  subjects: Subject[],
  seed: number,
  o: SplitOptions = {},
): Promise<Manifest> {
  const splits = assignSplits(subjects, seed, o);
  const entries: ManifestEntry[] = [];
  for (const s of subjects) {
    const sha256 = {
      image: await sha256File(s.image),
      ...(s.mask ? { mask: await sha256File(s.mask) } : {}),
    };
    entries.push({ ...s, split: splits.get(s.id)!, sha256 });
  }
  return { format: "neurad-split-manifest", version: 1, seed, subjects: entries };
}

/** Writes a manifest as JSON (atomically). */
export function writeManifest(path: string, m: Manifest): Promise<void> {
  return writeTextFileAtomic(path, JSON.stringify(m, null, 1) + "\n");
}

/** Reads a manifest, checking its format. */
export async function readManifest(path: string): Promise<Manifest> {
  let m: Manifest;
  try {
    m = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new DataError(path, `cannot read manifest (${(e as Error).message.split("\n")[0]})`);
  }
  if (m?.format !== "neurad-split-manifest" || m.version !== 1 || !Array.isArray(m.subjects)) {
    throw new DataError(path, "not a neurad split manifest (format/version)");
  }
  return m;
}

/** Throws a DataError naming the first input file whose sha256 no longer matches. */
export async function verifyManifest(m: Manifest): Promise<void> {
  for (const s of m.subjects) {
    for (const [kind, file] of [["image", s.image], ["mask", s.mask]] as const) {
      if (!file) continue;
      let got: string;
      try {
        got = await sha256File(file);
      } catch {
        throw new DataError(file, "listed in the split manifest but missing");
      }
      if (got !== s.sha256[kind]) {
        throw new DataError(file, `sha256 differs from the split manifest (file changed)`);
      }
    }
  }
}
