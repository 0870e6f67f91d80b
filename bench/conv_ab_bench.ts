// A/B of the conv kernels against an earlier commit, in one process: the commit's
// src/kernels/conv_gather.ts and shaders/conv2d_*.wgsl are taken from git into a temporary
// folder (imports pointed back at this checkout's core, kernel specs renamed so neither cache
// hands out the other's pipelines), then each pass of the speed goal's shapes runs on both,
// alternating which goes first, and the results are compared (max |Δ| / max |new|). On a
// shared machine this is the only fair way to see a kernel change: both sides see the same load.
// Run: deno run -A bench/conv_ab_bench.ts COMMIT [wgrad|dx|fwd] [iterations=7] [--shape TEXT]

import { join } from "node:path";
import { getDevice, sync, Tensor } from "../src/mod.ts";
import * as current from "../src/kernels/conv_gather.ts";
import { weightAccess } from "../src/kernels/conv2d.ts";
import {
  convData,
  inputGradGather,
  loadAvg,
  median,
  relError,
  SHAPES,
} from "./peers/_conv_peers.ts";

type Kernels = typeof current;
const root = new URL("..", import.meta.url).pathname;

function git(args: string[]): string {
  const out = new Deno.Command("git", { args, cwd: root, stderr: "piped" }).outputSync();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).trim());
  return new TextDecoder().decode(out.stdout);
}

/** The commit's conv_gather.ts, importable beside the current one. */
async function kernelsAt(commit: string): Promise<Kernels> {
  const dir = Deno.makeTempDirSync({ prefix: "neurad-ab-" });
  const tag = `ab_${commit.replace(/\W/g, "")}`;
  Deno.mkdirSync(join(dir, "src/kernels"), { recursive: true });
  Deno.mkdirSync(join(dir, "shaders"));
  for (const f of git(["ls-tree", "--name-only", commit, "shaders/"]).split("\n")) {
    if (f.startsWith("shaders/conv2d_")) {
      Deno.writeTextFileSync(join(dir, f), git(["show", `${commit}:${f}`]));
    }
  }
  const src = git(["show", `${commit}:src/kernels/conv_gather.ts`])
    .replace(/"\.\.\/core\//g, `"${root}src/core/`)
    .replace(/"\.\/(\w+)\.ts"/g, `"${root}src/kernels/$1.ts"`)
    .replace(/cachedSpec\("conv_gather"/g, `cachedSpec("${tag}"`)
    .replace(/name: "conv2d_/g, `name: "${tag}_conv2d_`);
  const path = join(dir, "src/kernels/conv_gather.ts");
  Deno.writeTextFileSync(path, src);
  try {
    return await import(`file://${path}`);
  } finally {
    Deno.removeSync(dir, { recursive: true }); // loaded (its WGSL too); nothing left behind
  }
}

if (import.meta.main) {
  const [commit, which = "wgrad"] = Deno.args;
  if (!commit) throw new Error("usage: conv_ab_bench.ts COMMIT [wgrad|dx|fwd] [iterations]");
  const iters = Number(Deno.args[2] ?? 7);
  const si = Deno.args.indexOf("--shape");
  const sf = si >= 0 ? Deno.args[si + 1] : undefined;
  await getDevice();
  const old = await kernelsAt(commit);
  console.log(`${which}: ${commit} (old) vs the working tree (new), load ${loadAvg()}`);
  for (const sh of SHAPES.filter((s) => !sf || s.label.includes(sf))) {
    const d = convData(sh);
    const { N, C, H, W, k, s, p, Co, Ho, Wo } = sh;
    const x = Tensor.from(d.x, [N, C, H, W]), w = Tensor.from(d.w, [Co, C, k, k]);
    const g = Tensor.from(d.g, [N, Co, Ho, Wo]);
    const op = (K: Kernels) =>
      which === "wgrad"
        ? () => K.convWeightGrad(g, x, k, s, p)
        : which === "dx"
        ? () => K.convGather(inputGradGather(sh, g, w))
        : () =>
          K.convGather({
            x,
            weight: w,
            access: weightAccess(C, k, true),
            bias: null,
            cout: Co,
            ho: Ho,
            wo: Wo,
            k,
            convStride: s,
            inStride: 1,
            pad: p,
          });
    const fo = op(old), fn = op(current);
    const a = fo(), b = fn();
    const err = relError(await b.toArray() as Float32Array, await a.toArray() as Float32Array);
    a.dispose();
    b.dispose();
    const time = async (f: () => Tensor) => {
      const t0 = performance.now();
      const y = f();
      await sync();
      const dt = performance.now() - t0;
      y.dispose();
      return dt;
    };
    await time(fo);
    await time(fn);
    const to: number[] = [], tn: number[] = [];
    for (let i = 0; i < iters; i++) {
      // Alternate which goes first.
      if (i % 2) {
        to.push(await time(fo));
        tn.push(await time(fn));
      } else {
        tn.push(await time(fn));
        to.push(await time(fo));
      }
    }
    const mo = median(to), mn = median(tn);
    console.log(
      `${sh.label.padEnd(24)} old ${mo.toFixed(1)} ms  new ${mn.toFixed(1)} ms  old/new ${
        (mo / mn).toFixed(2)
      }  new ${(sh.flops / mn / 1e6).toFixed(2)} GFLOP/s  difference ${err.toExponential(1)}`,
    );
    [x, w, g].forEach((t) => t.dispose());
  }
  console.log(`load ${loadAvg()} at the end`);
}
