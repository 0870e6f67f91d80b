/**
 * Recursive, sorted directory listing shared by the layout finders (sorted so subject order
 * never depends on the filesystem).
 * @module
 */
import { join } from "node:path";
import { DataError } from "../data_error.ts";

/** All file paths under `dir` (depth ≤ maxDepth), sorted. */
export async function listFiles(dir: string, maxDepth = 5): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, depth: number): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(d));
    } catch (e) {
      throw new DataError(d, `cannot list directory (${(e as Error).message.split("\n")[0]})`);
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory && depth < maxDepth) await walk(p, depth + 1);
      else if (e.isFile) out.push(p);
    }
  }
  await walk(join(dir, "."), 0);
  return out.sort();
}
