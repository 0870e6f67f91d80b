// neurad vs @jax-js/jax 0.1.25 (WebGPU, jit) on the conv shapes of the speed goal, results
// checked (its jit input gradient of a padded conv is wrong: the correct path is timed), then
// timed alternately in one process (_conv_peers.ts, _engine_jax.ts; jax-js installed into a
// temporary folder on the first run).
// Run: deno run -A bench/peers/conv_jax_peers_bench.ts [iterations=5] [--shape TEXT] [--pass PASS]

import { peerMain } from "./_conv_peers.ts";
import { jaxEngine } from "./_engine_jax.ts";

if (import.meta.main) await peerMain([jaxEngine()], Deno.args);
