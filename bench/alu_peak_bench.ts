// The adapter's arithmetic ceiling: the FLOP rate of a WGSL kernel that does nothing but fused
// multiply-adds in registers (8 independent vec4 chains per invocation, no memory traffic beyond
// one store), so a conv kernel's GFLOP/s can be read as a fraction of what this adapter can do at
// all. On llvmpipe this is the ceiling its code generation reaches on this CPU (vector lanes of
// the width llvmpipe reports, one thread per core); on a GPU, the shader cores' fp32 FMA rate.
// The shader is a probe of the adapter, not an engine kernel, so it lives here with its bench.
// Run: deno run -A bench/alu_peak_bench.ts [rounds=5]   (prints GFLOP/s per round, and the best)

import { getDevice } from "../src/core/device.ts";
import { deviceInfo } from "../src/mod.ts";

/** Invocations × iterations × 8 chains × 4 lanes × 2 FLOPs per dispatch. */
const WORKGROUP = 64, GROUPS = 512, ITER = 2048, CHAINS = 8;

const SHADER = /* wgsl */ `
struct P { b: vec4<f32>, c: vec4<f32> }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let s = f32(gid.x);
  ${Array.from({ length: CHAINS }, (_, i) => `var a${i} = vec4<f32>(s + ${i}.0);`).join("\n  ")}
  for (var i = 0u; i < ${ITER}u; i++) {
    ${Array.from({ length: CHAINS }, (_, i) => `a${i} = fma(a${i}, p.b, p.c);`).join("\n    ")}
  }
  out[gid.x] = ${Array.from({ length: CHAINS }, (_, i) => `a${i}`).join(" + ")};
}`;

export async function aluPeak(rounds = 5): Promise<{ gflops: number[]; best: number }> {
  const device = await getDevice();
  const module = device.createShaderModule({ code: SHADER });
  const pipeline = device.createComputePipeline({
    layout: "auto",
    compute: { module, entryPoint: "main" },
  });
  const uniform = device.createBuffer({
    size: 32,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(
    uniform,
    0,
    new Float32Array([0.999, 0.999, 0.999, 0.999, 1e-3, 1e-3, 1e-3, 1e-3]),
  );
  const out = device.createBuffer({ size: WORKGROUP * GROUPS * 16, usage: GPUBufferUsage.STORAGE });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: uniform } }, {
      binding: 1,
      resource: { buffer: out },
    }],
  });
  const run = async (dispatches: number) => {
    const enc = device.createCommandEncoder();
    for (let d = 0; d < dispatches; d++) {
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bind);
      pass.dispatchWorkgroups(GROUPS);
      pass.end();
    }
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000;
  };
  await run(1); // compile and warm up
  const flops = WORKGROUP * GROUPS * ITER * CHAINS * 4 * 2;
  // Enough dispatches for about a second of work, so the sync floor (~12 ms here) is noise.
  const one = await run(1);
  const n = Math.max(1, Math.min(64, Math.round(1 / Math.max(one, 1e-4))));
  const gflops: number[] = [];
  for (let r = 0; r < rounds; r++) gflops.push((n * flops) / (await run(n)) / 1e9);
  uniform.destroy();
  out.destroy();
  return { gflops, best: Math.max(...gflops) };
}

if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 5);
  const { gflops, best } = await aluPeak(rounds);
  const load = (() => {
    try {
      return Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
    } catch {
      return "?";
    }
  })();
  console.log(`adapter: ${deviceInfo().description}; load ${load}`);
  console.log(
    `FMA-only WGSL kernel: ${gflops.map((g) => g.toFixed(1)).join(", ")} GFLOP/s; best ${
      best.toFixed(1)
    }`,
  );
}
