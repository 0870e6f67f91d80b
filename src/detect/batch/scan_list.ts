/**
 * Which scans `neurad detect` runs on, in which order and under which output names. Each argument
 * is a file (taken as given), a folder (walked recursively for .nii and .nii.gz; hidden entries
 * and the output folder skipped) or a glob pattern (src/detect/batch/glob.ts). A scan's NAME is
 * its path relative to its argument's folder (a file's own folder, a pattern's fixed prefix),
 * without the extension, so an archive's layout is kept under OUT (sub-01/anat/t1 →
 * OUT/sub-01/anat/t1.json). Two scans with the same NAME from different arguments are both
 * renamed relative to the folder the clashing files share (a/t1.nii.gz and b/t1.nii.gz → a/t1 and
 * b/t1): deterministic, and the same for the same arguments wherever the archive is mounted. The
 * list is sorted by NAME, so every machine of a cluster job sees the same order (sharding,
 * src/detect/batch/shard.ts, partitions it by position).
 * @module
 */

import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { UserError } from "../../core/errors.ts";
import { globBase, globToRegExp, hasGlobMagic } from "./glob.ts";

export interface ScanEntry {
  /** The scan's file (absolute when the arguments were). */
  file: string;
  /** Output name relative to OUT, `/`-separated, without extension (unique in the list). */
  name: string;
  /** Position in the sorted list of all scans (before sharding). */
  index: number;
  /** Length of that list (a shard's summary carries it, so a merge can tell the whole list). */
  total: number;
}

const NIFTI = /\.nii(\.gz)?$/i;
const stripExt = (p: string) => p.replace(NIFTI, "");
const posix = (p: string) => p.split(sep).join("/");

/** All NIfTI files under `dir` (recursively, sorted; symlinked folders followed once). */
async function walk(dir: string, skip: Set<string>, seen: Set<string>): Promise<string[]> {
  let real: string;
  try {
    real = await Deno.realPath(dir);
  } catch {
    return [];
  }
  if (seen.has(real) || skip.has(real)) return [];
  seen.add(real);
  const names: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) names.push(e);
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of names) {
    const p = join(dir, e.name);
    let isDir = e.isDirectory, isFile = e.isFile;
    if (e.isSymlink) {
      const st = await Deno.stat(p).catch(() => null);
      isDir = st?.isDirectory ?? false;
      isFile = st?.isFile ?? false;
    }
    if (isDir) files.push(...await walk(p, skip, seen));
    else if (isFile && NIFTI.test(e.name)) files.push(p);
  }
  return files;
}

async function statOrNull(p: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(p);
  } catch {
    return null;
  }
}

/**
 * The scans the arguments name, sorted by output name, each file once. `exclude` folders (the
 * output folder) are not walked. An argument that names nothing is refused in one line.
 */
export async function findScans(args: string[], exclude: string[] = []): Promise<ScanEntry[]> {
  const skip = new Set<string>();
  for (const x of exclude) skip.add(await Deno.realPath(x).catch(() => resolve(x)));
  const found: { file: string; base: string }[] = [];
  for (const arg of args) {
    const st = await statOrNull(arg);
    if (st?.isFile) {
      found.push({ file: arg, base: dirname(arg) });
    } else if (st?.isDirectory) {
      const files = await walk(arg, skip, new Set());
      if (files.length === 0) throw new UserError(`${arg}: no .nii or .nii.gz file in the folder`);
      for (const f of files) found.push({ file: f, base: arg });
    } else if (hasGlobMagic(arg)) {
      const pattern = posix(arg), base = globBase(pattern), re = globToRegExp(pattern);
      const files = (await walk(base, skip, new Set())).filter((f) => re.test(posix(f)));
      if (files.length === 0) throw new UserError(`${arg}: matches no .nii or .nii.gz file`);
      for (const f of files) found.push({ file: f, base });
    } else {
      throw new UserError(`${arg}: no such file or folder`);
    }
  }
  // Each file once (the first argument naming it decides its base).
  const byFile = new Map<string, { file: string; base: string }>();
  for (const f of found) if (!byFile.has(resolve(f.file))) byFile.set(resolve(f.file), f);
  const items = [...byFile.values()].map((f) => ({
    file: f.file,
    name: posix(stripExt(relative(f.base, f.file))),
  }));
  resolveClashes(items);
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return items.map((s, index) => ({ ...s, index, total: items.length }));
}

/**
 * Renames scans that share an output name relative to the folder their files have in common;
 * files that differ only in extension (x.nii and x.nii.gz) keep it in the name (x.nii, x.nii.gz).
 */
function resolveClashes(items: { file: string; name: string }[]): void {
  const groups = new Map<string, { file: string; name: string }[]>();
  for (const s of items) groups.set(s.name, [...(groups.get(s.name) ?? []), s]);
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const paths = group.map((s) => resolve(s.file));
    let common = dirname(paths[0]);
    while (!paths.every((p) => p.startsWith(common === sep ? sep : common + sep))) {
      common = dirname(common);
    }
    for (const s of group) s.name = posix(stripExt(relative(common, resolve(s.file))));
    const names = group.map((s) => s.name);
    if (new Set(names).size < names.length) {
      for (const s of group) s.name = posix(join(dirname(s.name), basename(s.file)));
    }
  }
  // A renamed scan could now meet a scan it did not clash with before: refuse rather than guess.
  const seen = new Map<string, string>();
  for (const s of items) {
    const other = seen.get(s.name);
    if (other !== undefined) {
      throw new UserError(`${s.file}: its output name ${s.name} clashes with ${other}`);
    }
    seen.set(s.name, s.file);
  }
}
