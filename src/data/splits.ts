/**
 * Subject-level splits and the manifest that records them. Healthy subjects go 70/10/20 to
 * train/val/test; pathological ones 1/3 val, 2/3 test (never train: the models are unsupervised).
 * Subjects are sorted by id before a seeded shuffle, so the split depends only on the ids and the
 * seed. The manifest keeps each file's sha256 so a run can check it sees the same data.
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

/** Assigns each subject a split (seeded; by id, so file order does not matter). */
export function assignSplits(subjects: Subject[], seed: number): Map<string, SplitName> {
  const out = new Map<string, SplitName>();
  const rng = new Prng(seed);
  const byId = (a: Subject, b: Subject) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const healthy = rng.shuffle(subjects.filter((s) => !s.pathological).sort(byId));
  const sick = rng.shuffle(subjects.filter((s) => s.pathological).sort(byId));
  const nTrain = Math.round(0.7 * healthy.length);
  const nVal = Math.round(0.1 * healthy.length);
  healthy.forEach((s, i) =>
    out.set(s.id, i < nTrain ? "train" : i < nTrain + nVal ? "val" : "test")
  );
  const nSickVal = Math.round(sick.length / 3);
  sick.forEach((s, i) => out.set(s.id, i < nSickVal ? "val" : "test"));
  return out;
}

/** Builds a manifest: splits plus the sha256 of every input file. */
export async function buildManifest(subjects: Subject[], seed: number): Promise<Manifest> {
  const splits = assignSplits(subjects, seed);
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
