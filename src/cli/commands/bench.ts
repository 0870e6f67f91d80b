// `neurad bench [FILE...]`: runs the `deno bench` benchmarks of the repository checkout (bench/),
// which print GFLOP/s or GB/s; `--gpu` selects GPU-sized shapes (NEURAD_BENCH_SIZE=gpu), and
// alone (no FILE, no --filter) prints one pasteable markdown report of the conv passes beside the
// WebGPU peers (bench/gpu_report.ts) instead. The
// benches are Deno source files, so this command needs the repository (not the bundle).

import { dirname } from "node:path";
import { bool, defineCommand, positional, str } from "../command.ts";
import { UserError } from "../../core/errors.ts";

const BENCH_DIR = new URL("../../../bench/", import.meta.url);

export const benchCommand = defineCommand({
  name: "bench",
  summary: "run the benchmarks (bench/) with deno bench, printing GFLOP/s or GB/s",
  flags: {
    gpu: bool({
      help: "GPU-sized shapes (NEURAD_BENCH_SIZE=gpu); alone, a pasteable conv report vs the peers",
      default: false,
    }),
    filter: str({ metavar: "TEXT", help: "only benchmarks whose name contains TEXT" }),
  },
  positionals: {
    files: positional({
      name: "FILE",
      help: "bench files (default: all of bench/)",
      variadic: true,
      path: true,
    }),
  },
  async run({ gpu, filter, files }) {
    let dir: string;
    try {
      if (BENCH_DIR.protocol !== "file:") throw new Error("not a file");
      dir = Deno.realPathSync(BENCH_DIR);
    } catch {
      throw new UserError("bench: needs the repository checkout (bench/ not found next to src/)");
    }
    // --gpu alone: the pasteable conv report beside the WebGPU peers (bench/gpu_report.ts).
    const report = gpu && !files.length && !filter;
    const args = report ? ["run", "-A", "--no-check", `${dir}/gpu_report.ts`] : [
      "bench",
      "-A",
      "--no-check",
      ...(filter ? ["--filter", filter] : []),
      ...(files.length ? files : [dir]),
    ];
    const env: Record<string, string> = {};
    if (gpu) env.NEURAD_BENCH_SIZE = "gpu";
    const child = new Deno.Command(Deno.execPath(), {
      args,
      env,
      cwd: dirname(dir),
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    return (await child.status).code;
  },
});
