// The GitHub Actions workflow cannot run here, so this reads it (a tiny line-based reader: the
// file is plain block YAML) and checks its jobs and that every `deno task` it runs exists.

import { assert, assertEquals } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url);

interface Job {
  runsOn: string;
  runs: string[];
  uses: string[];
}

/** Jobs of a block-YAML workflow: `runs-on`, every `run:` command and every `uses:` action. */
export function readWorkflow(text: string): Record<string, Job> {
  const jobs: Record<string, Job> = {};
  let inJobs = false, job: Job | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "");
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      inJobs = line === "jobs:";
      continue;
    }
    if (!inJobs) continue;
    const m = line.trim().match(/^(?:- )?([\w-]+):\s*(.*)$/);
    if (indent === 2 && m) {
      job = jobs[m[1]] = { runsOn: "", runs: [], uses: [] };
      continue;
    }
    if (!job || !m) continue;
    if (m[1] === "runs-on") job.runsOn = m[2];
    if (m[1] === "run") job.runs.push(m[2]);
    if (m[1] === "uses") job.uses.push(m[2]);
  }
  return jobs;
}

Deno.test("CI workflow: a CPU job with Mesa, a self-hosted gpu job; every deno task exists", () => {
  const jobs = readWorkflow(Deno.readTextFileSync(new URL(".github/workflows/ci.yml", ROOT)));
  const tasks = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))).tasks;
  assertEquals(Object.keys(jobs).sort(), ["cpu", "gpu"]);
  assert(/ubuntu/.test(jobs.cpu.runsOn), jobs.cpu.runsOn);
  assert(jobs.cpu.runs.some((r) => /apt-get install -y mesa-vulkan-drivers/.test(r)));
  assertEquals(jobs.gpu.runsOn, "[self-hosted, gpu]");
  assert(jobs.gpu.runs.some((r) => /^NEURAD_BENCH_SIZE=gpu npx deno task bench/.test(r)));
  assert(jobs.gpu.uses.some((u) => u.startsWith("actions/upload-artifact@")));
  // The README's two commands run on the CPU job.
  for (const cmd of ["npx deno task demo", "npx deno task test"]) {
    assert(jobs.cpu.runs.includes(cmd), `cpu job lacks ${cmd}`);
  }
  const used = Object.values(jobs).flatMap((j) =>
    j.runs.flatMap((r) => [...r.matchAll(/deno task ([\w-]+)/g)].map((m) => m[1]))
  );
  assert(used.length >= 5, `found ${used.length} deno tasks`);
  for (const t of used) {
    assert(t in tasks, `the workflow runs \`deno task ${t}\`, not in deno.json`);
  }
});

Deno.test("readWorkflow() sees a task that does not exist", () => {
  const jobs = readWorkflow(
    "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: deno task nope\n",
  );
  assertEquals(jobs.a.runs, ["deno task nope"]);
});

Deno.test("package.json: engines names Node; every package with install scripts is allowed", () => {
  const pkg = JSON.parse(Deno.readTextFileSync(new URL("package.json", ROOT)));
  const lock = JSON.parse(Deno.readTextFileSync(new URL("package-lock.json", ROOT)));
  assert(/^>=\d+\.\d+\.\d+$/.test(pkg.engines?.node ?? ""), "engines.node");
  const allowed = Object.keys(pkg.allowScripts ?? {});
  for (const [path, p] of Object.entries(lock.packages) as [string, Record<string, unknown>][]) {
    if (!p.hasInstallScript) continue;
    const name = path.replace(/^.*node_modules\//, "");
    // npm 11's `npm install-scripts approve NAME` writes the bare name; a pinned NAME@VERSION
    // entry is accepted too.
    assert(
      allowed.includes(name) || allowed.includes(`${name}@${p.version}`),
      `allowScripts lacks ${name}`,
    );
  }
  // The lowest Node any installed package requires is within what engines promises.
  const floor = Number(pkg.engines.node.match(/\d+/)[0]);
  for (const [path, p] of Object.entries(lock.packages) as [string, Record<string, unknown>][]) {
    const need = (p.engines as { node?: string } | undefined)?.node ?? "";
    const m = need.match(/^>=\s*(\d+)/);
    if (m && !p.optional) assert(Number(m[1]) <= floor, `${path} needs node ${need}`);
  }
});
