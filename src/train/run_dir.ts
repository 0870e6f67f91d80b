// Whether a folder already holds a run, and starting one over. `train` into an existing run is
// refused unless it resumes or overwrites, so a finished or interrupted run is never silently
// replaced. Overwriting first moves every run entry (config, log, checkpoints, samples, eval
// outputs) into one hidden folder inside the run by renames, then deletes that folder: the new
// run starts only once no old file is left beside it; a failed rename puts the moved entries
// back; a crash during the clearing leaves the old entries hidden or still in place, never mixed
// with new ones (a hidden leftover is removed by the next overwrite).

import { UserError } from "../core/errors.ts";
import { join } from "node:path";

/** What `neurad train` and `neurad eval` write into a run directory. */
export const RUN_ENTRIES = [
  "checkpoints",
  "log.jsonl",
  "samples",
  "config.json",
  "eval",
  "thresholds.json",
] as const;

/** A seed study's manifest (src/train/seed_study.ts): a folder holding RUN/seed-N runs. */
export const SEEDS_FILE = "seeds.json";

const TRASH_PREFIX = ".overwritten-";

/** The run entries `dir` holds (none when it is missing or holds no run). */
export async function runEntries(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of RUN_ENTRIES) {
    try {
      await Deno.lstat(join(dir, name));
      found.push(name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new UserError(`${join(dir, name)}: cannot read (${(e as Error).message})`);
      }
    }
  }
  return found;
}

/** Throws one line when `dir` already holds a run. */
export async function refuseExistingRun(dir: string): Promise<void> {
  const found = await runEntries(dir);
  if (found.length === 0) return;
  throw new UserError(
    `--out: ${dir} already holds a run (${found.join(", ")}); continue it with --resume ${dir} ` +
      `or start over with --overwrite`,
  );
}

/**
 * Removes the run in `dir`: its entries are renamed into one hidden folder, which is then
 * deleted (with any such folder an earlier, interrupted clearing left). Other files are kept.
 */
export async function clearRun(dir: string): Promise<void> {
  const found = await runEntries(dir);
  if (found.length > 0) {
    const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
    const trash = join(dir, `${TRASH_PREFIX}${Deno.pid}-${rand}`);
    await Deno.mkdir(trash);
    const moved: string[] = [];
    try {
      for (const name of found) {
        await Deno.rename(join(dir, name), join(trash, name));
        moved.push(name);
      }
    } catch (e) {
      // Put back what was moved: the old run stays whole rather than half cleared.
      for (const name of moved) {
        await Deno.rename(join(trash, name), join(dir, name)).catch(() => {});
      }
      await Deno.remove(trash).catch(() => {});
      throw new UserError(`${dir}: cannot clear the old run (${(e as Error).message})`);
    }
  }
  await removeTrash(dir);
}

/** Deletes the hidden folders of earlier clearings. */
async function removeTrash(dir: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  for (const e of entries) {
    if (e.isDirectory && e.name.startsWith(TRASH_PREFIX)) {
      await Deno.remove(join(dir, e.name), { recursive: true });
    }
  }
}
