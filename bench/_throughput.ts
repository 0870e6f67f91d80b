// Shared by the conv / norm benches: times each bench's measured part and prints a table of
// GFLOP/s (or GB/s) at exit, since `deno bench` itself only prints time per iteration.

const seen = new Set<string>();
const rows = new Map<string, { work: number; unit: "GFLOP/s" | "GB/s"; ms: number; n: number }>();

/** Records one measured iteration of `name` that did `work` FLOPs (or bytes) in `ms`. */
export function record(name: string, work: number, unit: "GFLOP/s" | "GB/s", ms: number) {
  // The first run of each bench compiles its pipelines: leave it out.
  if (!seen.has(name)) return void seen.add(name);
  const r = rows.get(name) ?? { work, unit, ms: 0, n: 0 };
  r.ms += ms;
  r.n++;
  rows.set(name, r);
}

globalThis.addEventListener("unload", () => {
  for (const [name, r] of rows) {
    const rate = (r.work * r.n) / (r.ms / 1000) / 1e9;
    console.log(
      `${name}: ${rate.toFixed(3)} ${r.unit} (${r.n} iterations, ${
        (r.ms / r.n).toFixed(2)
      } ms/iter)`,
    );
  }
});
