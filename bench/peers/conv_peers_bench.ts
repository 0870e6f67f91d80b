// neurad vs TF.js 4.22 WebGPU on the same adapter, in one process: the conv shapes of the speed
// goal, each pass (forward, input gradient, weight gradient, fwd+bwd), results checked, then
// timed alternately (_conv_peers.ts). neurad runs NCHW, TF.js its native NHWC kernels.
// Run: deno run -A bench/peers/conv_peers_bench.ts [iterations=5] [--shape TEXT] [--pass PASS]

import { peerMain } from "./_conv_peers.ts";
import { tfjsEngine } from "./_engine_tfjs.ts";

if (import.meta.main) await peerMain([tfjsEngine()], Deno.args);
