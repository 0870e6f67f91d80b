/**
 * `neurad detect --merge DIR...`: joins the summaries of the N shards of a cluster job
 * (summary-shard-K-of-N.csv, src/detect/batch/shard.ts) into one summary.csv and summary.html.
 * The shards may have written into one shared folder or into one folder each. Refused in one
 * line: no shard summary at all, shards of different N, a shard given twice, a missing shard,
 * a scan in two shards or at a position its shard does not own, shards that found lists of
 * different lengths, and positions missing from the union (shards run on different scan lists). Scans still pending or failed in a shard are
 * merged as they are and counted in a warning: rerunning that shard completes them.
 * @module
 */

import { join, relative } from "node:path";
import { UserError } from "../../core/errors.ts";
import { LIST_SEPARATOR, readSummaryCsv, type SummaryRow, writeSummary } from "./summary.ts";

const SHARD_FILE = /^summary-shard-(\d+)-of-(\d+)\.csv$/;

export interface MergeResult {
  csv: string;
  html: string;
  rows: SummaryRow[];
  /** Lines to show the user (pending or failed scans). */
  warnings: string[];
}

/** Merges the shard summaries found in `dirs` into OUT/summary.{csv,html}. */
export async function mergeShardSummaries(dirs: string[], out: string): Promise<MergeResult> {
  const found: { k: number; n: number; path: string; dir: string }[] = [];
  for (const dir of dirs) {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      throw new UserError(`${dir}: no such folder`);
    }
    for (const e of entries) {
      const m = SHARD_FILE.exec(e.name);
      if (m && e.isFile) found.push({ k: +m[1], n: +m[2], path: join(dir, e.name), dir });
    }
  }
  if (found.length === 0) {
    throw new UserError(
      `${dirs.join(", ")}: no shard summary (summary-shard-K-of-N.csv, written by ` +
        "neurad detect --shard K/N)",
    );
  }
  found.sort((a, b) => a.n - b.n || a.k - b.k || (a.path < b.path ? -1 : 1));
  const n = found[0].n;
  const other = found.find((f) => f.n !== n);
  if (other) {
    throw new UserError(
      `${other.path}: a shard of ${other.n}, but ${found[0].path} is of ${n}: ` +
        "summaries of different jobs",
    );
  }
  for (let i = 1; i < found.length; i++) {
    if (found[i].k === found[i - 1].k) {
      throw new UserError(
        `shard ${found[i].k} of ${n} given twice: ${found[i - 1].path} and ${found[i].path}`,
      );
    }
  }
  const have = new Set(found.map((f) => f.k));
  const missing = Array.from({ length: n }, (_, k) => k).filter((k) => !have.has(k));
  if (missing.length) {
    throw new UserError(
      `missing shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${n} ` +
        `(no summary-shard-${missing[0]}-of-${n}.csv in ${dirs.join(", ")}): run ` +
        `neurad detect --shard ${missing[0]}/${n} first`,
    );
  }
  const rows: SummaryRow[] = [];
  const owner = new Map<string, number>();
  for (const f of found) {
    let shardRows: SummaryRow[];
    try {
      shardRows = readSummaryCsv(await Deno.readTextFile(f.path));
    } catch (e) {
      throw new UserError(`${f.path}: ${(e as Error).message}`);
    }
    for (const r of shardRows) {
      const index = Number(r.index);
      for (const key of [`#${r.index}`, r.scan]) {
        const was = owner.get(key);
        if (was !== undefined) {
          throw new UserError(
            `${r.scan}: in shard ${was} and shard ${f.k} of ${n}: the shards overlap ` +
              "(run with the same arguments?)",
          );
        }
        owner.set(key, f.k);
      }
      if (!Number.isInteger(index) || index % n !== f.k) {
        throw new UserError(
          `${f.path}: ${r.scan} at position ${r.index} is not shard ${f.k} of ${n}'s ` +
            "(run with another --shard?)",
        );
      }
      const outputs = r.outputs
        ? r.outputs.split(LIST_SEPARATOR).map((p) => relative(out, join(f.dir, p))).join(
          LIST_SEPARATOR,
        )
        : "";
      rows.push({ ...r, outputs });
    }
  }
  rows.sort((a, b) => Number(a.index) - Number(b.index));
  // Every row names the length of the list its shard found: one list, covered exactly.
  const sizes = [...new Set(rows.map((r) => r.of))];
  if (sizes.length > 1) {
    throw new UserError(
      `the shards found ${sizes.join(" and ")} scans: they were run on different scan lists ` +
        "(the archive changed, or other arguments)",
    );
  }
  const total = rows.length ? Number(sizes[0]) : 0;
  const gap = Array.from({ length: total }, (_, i) => i).find((i) => Number(rows[i]?.index) !== i);
  if (gap !== undefined || rows.length !== total) {
    throw new UserError(
      `scan position ${gap ?? total} is in no shard summary: the shards were run on different ` +
        "scan lists",
    );
  }
  const warnings: string[] = [];
  for (const status of ["pending", "failed"]) {
    const by = new Map<string, number>();
    for (const r of rows) {
      if (r.status !== status) continue;
      const k = String(Number(r.index) % n);
      by.set(k, (by.get(k) ?? 0) + 1);
    }
    if (by.size) {
      warnings.push(
        `warning: ${[...by.values()].reduce((a, b) => a + b)} scan(s) ${status} ` +
          `(shard ${[...by.keys()].join(", ")}): rerun ${
            by.size > 1 ? "those shards" : "that shard"
          } ` +
          "with the same --out to complete them",
      );
    }
  }
  await Deno.mkdir(out, { recursive: true });
  const files = await writeSummary(out, "summary", rows, `neurad detect: ${rows.length} scans`);
  return { ...files, rows, warnings };
}
