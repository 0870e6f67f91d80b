/**
 * `--shard K/N`: N machines of a cluster job (a Slurm array, a Kubernetes indexed Job) share one
 * archive. Shard K (0 ≤ K < N, as SLURM_ARRAY_TASK_ID with --array=0-(N-1) and
 * JOB_COMPLETION_INDEX count) takes the scans at positions K, K+N, K+2N, ... of the sorted list
 * (src/detect/batch/scan_list.ts): the shards never overlap, together they cover every scan, and
 * interleaving spreads an archive's slow and fast parts over all of them. Each shard writes its
 * own summary (summary-shard-K-of-N.csv), which `neurad detect --merge` joins.
 * @module
 */

import { UserError } from "../../core/errors.ts";

export interface Shard {
  k: number;
  n: number;
}

/** Parses "K/N"; the problem in words for the flag's one-line error, else the shard. */
export function parseShard(raw: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m) return `expected K/N (shard K of N, K counted from 0), got "${raw}"`;
  const k = Number(m[1]), n = Number(m[2]);
  if (n < 1) return `N must be at least 1, got "${raw}"`;
  if (k >= n) {
    return `K counts from 0 to N-1 (as SLURM_ARRAY_TASK_ID with --array=0-${n - 1} and ` +
      `JOB_COMPLETION_INDEX do), got "${raw}"`;
  }
  return { k, n };
}

/** The shard's share of a sorted list: the items at positions K, K+N, K+2N, ... */
export function shardItems<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...items];
  if (!(shard.n >= 1 && shard.k >= 0 && shard.k < shard.n)) {
    throw new UserError(`--shard: ${shard.k}/${shard.n} is not a shard`);
  }
  return items.filter((_, i) => i % shard.n === shard.k);
}

/** The summary's file stem: "summary", or "summary-shard-K-of-N" for a shard. */
export function summaryStem(shard: Shard | undefined): string {
  return shard ? `summary-shard-${shard.k}-of-${shard.n}` : "summary";
}
