// `neurad bench --gpu` (deno task bench --gpu): one pasteable markdown report of this adapter —
// which adapter, Deno and commit; every conv pass of the speed goal's shapes (forward, input
// gradient, weight gradient, fwd+bwd) with neurad's ms and GFLOP/s beside each WebGPU peer in one
// process (TF.js, onnxruntime-web WebGPU, jax-js; results checked first, _conv_peers.ts) as peer
// ms / neurad ms; the kernels neurad dispatched (so the variant chosen on this adapter); neurad's
// GPU memory. A peer that cannot load here (no npm, no network) is left out with a line saying
// why. It exists so the first user with a GPU can paste real figures into an issue.
// Run: deno run -A bench/gpu_report.ts [iterations=5] [--wasm] [--out FILE]

import { writeTextFileAtomic } from "../src/util/atomic_write.ts";
import { loopIterationsByKernel } from "../src/core/dispatch.ts";
import { deviceInfo, getDevice, memoryStats } from "../src/mod.ts";
import {
  contextLines,
  type Engine,
  loadAvg,
  runConvPeers,
  tableHeader,
} from "./peers/_conv_peers.ts";
import { tfjsEngine } from "./peers/_engine_tfjs.ts";
import { ortEngine } from "./peers/_engine_ort.ts";
import { jaxEngine } from "./peers/_engine_jax.ts";
import { aluPeak } from "./alu_peak_bench.ts";
import { PASSES } from "./peers/_conv_peers.ts";

function commit(): string {
  try {
    const out = new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: new URL("..", import.meta.url),
      stderr: "null",
    }).outputSync();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "?";
  } catch {
    return "?";
  }
}

export async function gpuReport(args: string[]): Promise<string> {
  const iters = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
  await getDevice();
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    console.error(s);
  };
  const info = deviceInfo();
  say(`## neurad conv report: ${info.description}`);
  say("");
  // Bullets, so the lines stay lines when pasted into markdown.
  say(
    `- vendor ${info.vendor}, architecture ${info.architecture || "?"}, commit ${commit()}, ` +
      `${iters} alternating rounds (medians)`,
  );
  for (const l of contextLines()) say(`- ${l}`);
  // The adapter's arithmetic ceiling, so each pass's GFLOP/s reads as a share of what it can do.
  const peak = await aluPeak(3);
  say(
    `- adapter FMA ceiling (FMA-only WGSL kernel, bench/alu_peak_bench.ts): ` +
      `${peak.best.toFixed(1)} GFLOP/s`,
  );
  const candidates = [tfjsEngine(), ortEngine("webgpu"), jaxEngine()];
  if (args.includes("--wasm")) candidates.push(ortEngine("wasm"));
  const peers: Engine[] = [];
  for (const e of candidates) {
    try {
      await e.init?.();
      peers.push(e);
    } catch (err) {
      say(`- ${e.name} left out: ${String((err as Error).message ?? err).split("\n")[0]}`);
    }
  }
  say("- ratio = peer ms / neurad ms (above 1: neurad faster); every result checked first");
  say("");
  say(tableHeader(peers.map((e) => e.name)));
  const rows = await runConvPeers(peers, iters, { log: say });
  const m = memoryStats();
  const kernels = [...loopIterationsByKernel().keys()].filter((k) => k.startsWith("conv")).sort();
  say("");
  const share = PASSES.map((pass) => {
    const g = rows.filter((r) => r.pass === pass).map((r) => r.flops / (r.neurad * 1e6));
    if (!g.length) return null;
    const lo = Math.min(...g) / peak.best, hi = Math.max(...g) / peak.best;
    return `${pass} ${(100 * lo).toFixed(0)}-${(100 * hi).toFixed(0)} %`;
  }).filter((x) => x !== null);
  say(`- neurad's GFLOP/s as a share of the FMA ceiling, over the shapes: ${share.join(", ")}`);
  say(`- neurad conv kernels dispatched: ${kernels.join(", ")}`);
  say(
    `- neurad GPU memory at the end: ${(m.liveBytes / 2 ** 20).toFixed(1)} MiB live, ` +
      `${(m.pooledBytes / 2 ** 20).toFixed(1)} MiB pooled (live + pooled = its high-water mark)`,
  );
  say(`- load ${loadAvg()} at the end`);
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const args = Deno.args;
  const report = await gpuReport(args);
  const i = args.indexOf("--out");
  if (i >= 0 && args[i + 1]) {
    await writeTextFileAtomic(args[i + 1], report);
    console.error(`written to ${args[i + 1]}`);
  } else console.log(report);
}
