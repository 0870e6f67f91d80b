// docs/cluster.md stays true: the Slurm and Kubernetes examples' `neurad detect` lines parse for
// every task index the job gives (0..N-1 from --array and completions) and each names a distinct
// shard of the same N, and the merge lines parse too. No GPU: only the command's parse (the model
// path stands for a placeholder file here).

import { deepStrictEqual as eq, ok } from "node:assert";
import { detectCommand } from "../../src/cli/commands/detect.ts";

const doc = await Deno.readTextFile(new URL("../../docs/cluster.md", import.meta.url));

/** Words of a shell command line: quotes removed, backslash-newlines joined, $VARS substituted. */
function words(line: string, vars: Record<string, string>): string[] {
  const text = line.replace(/\\\n\s*/g, " ").replace(/\$(\w+)/g, (_, v) => {
    if (!(v in vars)) throw new Error(`$${v} is not set in this example`);
    return vars[v];
  });
  const out: string[] = [];
  for (const m of text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function block(lang: string): string {
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(doc);
  ok(m, `docs/cluster.md has a ${lang} block`);
  return m[1];
}

// --model and --run must exist when the command line is read: the cluster's paths stand for a
// file and a folder of this machine's.
const standIn = await Deno.makeTempDir({ prefix: "neurad-cluster-doc-" });
const standInModel = `${standIn}/model.neurad`;
await Deno.writeTextFile(standInModel, "");
globalThis.addEventListener("unload", () => Deno.removeSync(standIn, { recursive: true }));

/** The shard each parsed line runs (from the flag the example passes). */
function shardOf(argv: string[]): string {
  eq(argv[0], "neurad");
  eq(argv[1], "detect");
  const args = argv.slice(2).map((a, i, all) =>
    all[i - 1] === "--model" ? standInModel : all[i - 1] === "--run" ? standIn : a
  );
  detectCommand.prepare(args); // throws on any refused flag
  return argv[argv.indexOf("--shard") + 1];
}

Deno.test("docs/cluster.md: the Slurm array job gives each task its own shard", () => {
  const script = block("bash");
  const [, lo, hi] = /#SBATCH --array=(\d+)-(\d+)/.exec(script)!;
  const n = /^N=(\d+)/m.exec(script)![1];
  eq([Number(lo), Number(hi) + 1], [0, Number(n)], "--array=0-(N-1)");
  const line = /^neurad detect[\s\S]*?[^\\]\n/m.exec(script)![0];
  const shards = new Set<string>();
  for (let k = Number(lo); k <= Number(hi); k++) {
    shards.add(shardOf(words(line, { SLURM_ARRAY_TASK_ID: String(k), N: n })));
  }
  eq(shards.size, Number(n));
  // Past the array: refused, so a 1-based --array would fail at once rather than skip shard 0.
  let refused = "";
  try {
    shardOf(words(line, { SLURM_ARRAY_TASK_ID: n, N: n }));
  } catch (e) {
    refused = (e as Error).message;
  }
  ok(/--shard: K counts from 0 to N-1/.test(refused), refused);
  const merge = /--wrap "(neurad detect --merge [^"]+)"/.exec(doc)![1];
  detectCommand.prepare(words(merge, {}).slice(2));
});

Deno.test("docs/cluster.md: the Kubernetes indexed Job gives each pod its own shard", () => {
  const yaml = block("yaml");
  const n = Number(/completions: (\d+)/.exec(yaml)![1]);
  ok(/completionMode: Indexed/.test(yaml));
  ok(
    /command:\n\s+- sh\n\s+- -c\n/.test(yaml),
    "the command runs in sh, which sets $JOB_COMPLETION_INDEX",
  );
  const cmd = /- "(neurad detect [^"]*)"/.exec(yaml)![1];
  const shards = new Set<string>();
  for (let k = 0; k < n; k++) {
    const s = shardOf(words(cmd, { JOB_COMPLETION_INDEX: String(k) }));
    eq(s, `${k}/${n}`);
    shards.add(s);
  }
  eq(shards.size, n);
  const merge = /`(neurad detect --merge \/data\/maps)`/.exec(doc)![1];
  detectCommand.prepare(words(merge, {}).slice(2));
});
