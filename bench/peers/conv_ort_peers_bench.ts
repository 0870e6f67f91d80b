// neurad vs onnxruntime-web 1.31 (WebGPU EP, and its wasm EP for scale) on the conv shapes of
// the speed goal, results checked, then timed alternately in one process (_conv_peers.ts,
// _engine_ort.ts; ORT installed into a temporary folder on the first run).
// Run: deno run -A bench/peers/conv_ort_peers_bench.ts [iterations=5] [--shape TEXT] [--pass PASS]
// [--no-wasm]

import { peerMain } from "./_conv_peers.ts";
import { ortEngine } from "./_engine_ort.ts";

if (import.meta.main) {
  const engines = [ortEngine("webgpu")];
  if (!Deno.args.includes("--no-wasm")) engines.push(ortEngine("wasm"));
  await peerMain(engines, Deno.args);
}
