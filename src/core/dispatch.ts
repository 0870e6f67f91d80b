// Kernel dispatch: pipeline cache keyed by WGSL source, explicit bind-group layouts, a bind-group
// cache, one open command encoder + compute pass that records every dispatch until a readback or
// flush, a per-submit uniform arena, grids beyond 65,535 workgroups folded into y, and readback.
//
// Bind groups are cached by (pipeline, uniform slot size, buffers): createBindGroup costs
// 12-60 µs in Deno while encoding with a cached group costs < 1 µs. The uniform block is bound
// with a dynamic offset into the arena, so one group serves every dispatch on the same buffers.
// A pooled buffer handed out again is the same whole-buffer allocation, so its groups stay exact;
// a destroyed buffer's groups are evicted before it is destroyed (pool's onDestroy hook), and
// the least recently used groups go beyond MAX_BIND_GROUPS.
//
// Binding convention of every kernel: @binding(0) is a uniform block `params`, then `inputs`
// read-only storage buffers, then `outputs` read_write storage buffers, all in @group(0). The
// uniform block is the spec's ParamBlock (uniforms.ts): its WGSL declaration goes in front of the
// kernel's code here, and its writer packs the dispatch's values into the arena, so the layout
// is stated once.
//
// Loop budget: every dispatch states the worst-case number of loop iterations one invocation
// runs (`loopIterations`, counted with loopCost), and dispatch() refuses one over
// LOOP_ITERATION_LIMIT. Mesa's llvmpipe ends every loop of an invocation, silently, once 65,535
// loop passes have run in it, all its loops counted together; a kernel past that computes a
// wrong answer without any error. GPUs have no such cap, but the engine must give the same
// answer on every adapter, so wrappers size their splits to the budget everywhere (docs/ops.md,
// "Loop budget").

import PRELUDE from "../../shaders/prelude.wgsl" with { type: "text" };
import { checkErrors, rt } from "./device.ts";
import { BufferPool } from "./buffer_pool.ts";
import { type KernelTime, KernelTimer } from "./kernel_timer.ts";
import type { Fields, ParamBlock, ParamValues, ParamWords } from "./uniforms.ts";

export interface KernelSpec<F extends Fields = Fields> {
  /** Names the kernel in labels and error messages. */
  name: string;
  /**
   * The kernel's parameter block (binding 0), declared before `code` in the module; a kernel
   * without parameters omits it (binding 0 then holds 16 zero bytes).
   */
  params?: ParamBlock<F>;
  /** The kernel's WGSL after any template substitution, without the parameter block. */
  code: string;
  inputs: number;
  outputs: number;
}

/**
 * Loop passes one invocation may run: Mesa's llvmpipe (gallivm, LP_MAX_TGSI_LOOP_ITERATIONS)
 * keeps one counter per invocation (per SIMD group of lanes: the group runs a loop as long as its
 * longest lane), decremented at the end of every pass through any loop, and leaves every loop
 * once it reaches zero: later iterations and later loops are skipped without an error.
 */
export const LOOP_ITERATION_LIMIT = 65_535;

/**
 * What one run of a loop costs against LOOP_ITERATION_LIMIT: `trips` iterations that each cost
 * `body` more (the loops inside them), and one pass more, the one whose test leaves the loop
 * (llvmpipe runs a loop's body masked when its lanes break, so that pass is counted: measured,
 * two loops of 60,000 and 5,535 trips lose the last trip of the second). Nested loops multiply:
 * loopCost(rows, loopCost(cols)). Loops with constant trip counts may be unrolled by the
 * compiler and then cost nothing; counting them keeps the bound an upper bound.
 */
export function loopCost(trips: number, body = 0): number {
  return trips + 1 + trips * body;
}

/**
 * Splits a loop of `n` steps into the fewest chunks whose invocation cost, `cost(chunk)` (loop
 * passes of one invocation that walks `chunk` of the steps, all its other loops included), stays
 * within LOOP_ITERATION_LIMIT; chunks are multiples of `granule` and as equal as that allows.
 * `cost` must not decrease as its argument grows. Throws when even one granule is over budget.
 */
export function splitLoop(
  n: number,
  cost: (chunk: number) => number,
  granule = 1,
): { splits: number; chunk: number } {
  const up = (v: number) => Math.ceil(v / granule) * granule;
  if (cost(granule) > LOOP_ITERATION_LIMIT) {
    throw new Error(
      `neurad: ${cost(granule)} loop iterations per invocation at the smallest split, over ` +
        `llvmpipe's ${LOOP_ITERATION_LIMIT}`,
    );
  }
  if (n <= granule || cost(up(n)) <= LOOP_ITERATION_LIMIT) return { splits: 1, chunk: up(n) };
  // The largest granule count g with cost(g·granule) within the limit (cost(granule) is).
  let lo = 1, hi = Math.ceil(n / granule);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (cost(mid * granule) <= LOOP_ITERATION_LIMIT) lo = mid;
    else hi = mid;
  }
  const splits = Math.ceil(n / (lo * granule));
  return { splits, chunk: up(Math.ceil(n / splits)) };
}

/** The largest loopIterations each kernel (by name) has been dispatched with in this process. */
const loopRecord = new Map<string, number>();

/** The loop bound each kernel was dispatched with, at most, so far (tests and diagnostics). */
export function loopIterationsByKernel(): ReadonlyMap<string, number> {
  return loopRecord;
}

interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  id: number;
  /** Whether the kernel's code (comments aside) has a loop: then its bound cannot be 0. */
  loops: boolean;
}

/** Whether WGSL code has a loop statement outside comments. */
export function hasLoop(code: string): boolean {
  return /\b(for|while|loop)\s*[({]/.test(code.replace(/\/\/[^\n]*/g, ""));
}

const ARENA_BYTES = 1 << 18;
const MAX_DISPATCHES_PER_SUBMIT = 1024;
// A small VQGAN training step binds ~2,900 distinct groups; 8,192 keeps a step and its
// validation pass cached (4,096 thrashed: 265 new groups a step instead of 66).
const MAX_BIND_GROUPS = 8192;

interface CachedGroup {
  group: GPUBindGroup;
  bufferIds: number[];
}

interface State {
  device: GPUDevice;
  pool: BufferPool;
  /** Pipelines by parameter block, then by code (one module is block + code). */
  pipelines: Map<ParamBlock | undefined, Map<string, Pipeline>>;
  pipelineCount: number;
  /** Key "pipeline|slot|buffer ids" → group; Map order is recency (oldest first). */
  bindGroups: Map<string, CachedGroup>;
  /** Buffer id → keys of the cached groups that bind it. */
  groupsOfBuffer: Map<number, Set<string>>;
  bufferIds: WeakMap<GPUBuffer, number>;
  nextBufferId: number;
  encoder: GPUCommandEncoder | null;
  pass: GPUComputePassEncoder | null;
  arena: GPUBuffer;
  arenaCpu: Uint8Array;
  arenaWords: ParamWords;
  arenaUsed: number;
  dispatches: number;
  lastKernel: string;
  afterSubmit: GPUBuffer[];
  uniformAlign: number;
}

let state: State | null = null;
let timer: KernelTimer | null = null;

function st(): State {
  const { device } = rt();
  if (state && state.device === device) return state;
  const arenaCpu = new Uint8Array(ARENA_BYTES);
  state = {
    device,
    pool: new BufferPool(device, forgetBuffer),
    pipelines: new Map(),
    pipelineCount: 0,
    bindGroups: new Map(),
    groupsOfBuffer: new Map(),
    bufferIds: new WeakMap(),
    nextBufferId: 1,
    encoder: null,
    pass: null,
    arena: device.createBuffer({
      size: ARENA_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    }),
    arenaCpu,
    arenaWords: {
      u32: new Uint32Array(arenaCpu.buffer),
      i32: new Int32Array(arenaCpu.buffer),
      f32: new Float32Array(arenaCpu.buffer),
    },
    arenaUsed: 0,
    dispatches: 0,
    lastKernel: "(none)",
    afterSubmit: [],
    uniformAlign: device.limits.minUniformBufferOffsetAlignment,
  };
  return state;
}

/** The process's buffer pool. */
export function pool(): BufferPool {
  return st().pool;
}

function pipelineFor(s: State, spec: KernelSpec<Fields>): Pipeline {
  let byCode = s.pipelines.get(spec.params);
  if (!byCode) s.pipelines.set(spec.params, byCode = new Map());
  let p = byCode.get(spec.code);
  if (p) return p;
  const entries: GPUBindGroupLayoutEntry[] = [
    {
      binding: 0,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: "uniform", hasDynamicOffset: true },
    },
  ];
  for (let i = 0; i < spec.inputs + spec.outputs; i++) {
    entries.push({
      binding: 1 + i,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: i < spec.inputs ? "read-only-storage" : "storage" },
    });
  }
  const layout = s.device.createBindGroupLayout({ label: spec.name, entries });
  const module = s.device.createShaderModule({
    label: spec.name,
    code: PRELUDE + (spec.params?.wgsl ?? "") + spec.code,
  });
  const pipeline = s.device.createComputePipeline({
    label: spec.name,
    layout: s.device.createPipelineLayout({ label: spec.name, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: "main" },
  });
  p = { pipeline, layout, id: ++s.pipelineCount, loops: hasLoop(spec.code) };
  byCode.set(spec.code, p);
  return p;
}

function bufferId(s: State, buffer: GPUBuffer): number {
  let id = s.bufferIds.get(buffer);
  if (id === undefined) s.bufferIds.set(buffer, id = s.nextBufferId++);
  return id;
}

function dropGroup(s: State, key: string) {
  const entry = s.bindGroups.get(key);
  if (!entry) return;
  s.bindGroups.delete(key);
  for (const id of entry.bufferIds) s.groupsOfBuffer.get(id)?.delete(key);
}

/**
 * Evicts every cached bind group that binds `buffer`; call before destroying it (the pool does).
 * Its id is retired too, so no later lookup can match a group made for it. Recorded commands
 * may still use the buffer: they are submitted first (WebGPU then defers the destruction until
 * they have run; destroying before the submit would invalidate them).
 */
export function forgetBuffer(buffer: GPUBuffer) {
  const s = state;
  if (!s) return;
  if (s.encoder) flush();
  const id = s.bufferIds.get(buffer);
  if (id === undefined) return;
  const keys = s.groupsOfBuffer.get(id);
  if (keys) { for (const key of [...keys]) dropGroup(s, key); }
  s.groupsOfBuffer.delete(id);
  s.bufferIds.delete(buffer);
}

/** Bind groups in the cache (for tests and diagnostics). */
export function bindGroupCacheSize(): number {
  return state?.bindGroups.size ?? 0;
}

function bindGroupFor(
  s: State,
  spec: KernelSpec<Fields>,
  p: { layout: GPUBindGroupLayout; id: number },
  slot: number,
  buffers: GPUBuffer[],
): GPUBindGroup {
  const ids = buffers.map((b) => bufferId(s, b));
  const key = `${p.id}|${slot}|${ids.join(",")}`;
  const hit = s.bindGroups.get(key);
  if (hit) {
    s.bindGroups.delete(key); // re-insert: most recently used last
    s.bindGroups.set(key, hit);
    return hit.group;
  }
  const entries: GPUBindGroupEntry[] = [{
    binding: 0,
    resource: { buffer: s.arena, offset: 0, size: slot },
  }];
  buffers.forEach((buffer, i) => entries.push({ binding: 1 + i, resource: { buffer } }));
  const group = s.device.createBindGroup({ label: spec.name, layout: p.layout, entries });
  s.bindGroups.set(key, { group, bufferIds: ids });
  for (const id of ids) {
    let keys = s.groupsOfBuffer.get(id);
    if (!keys) s.groupsOfBuffer.set(id, keys = new Set());
    keys.add(key);
  }
  if (s.bindGroups.size > MAX_BIND_GROUPS) dropGroup(s, s.bindGroups.keys().next().value!);
  return group;
}

/** Splits a workgroup count into an (x, y) grid under the per-dimension limit. */
export function grid1d(count: number): [number, number] {
  const max = st().device.limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [Math.max(1, count), 1];
  const y = Math.ceil(count / max);
  return [Math.ceil(count / y), y];
}

/**
 * Records one dispatch. `params` holds a value for every field of the spec's parameter block
 * (type-checked against its declaration); `buffers` are the inputs then the outputs;
 * `workgroups` is [x, y, z] (use grid1d for a linear count; kernels then compute the linear
 * workgroup index as wid.x + wid.y * nwg.x and bounds-check). `loopIterations` is the most loop
 * passes any invocation of this dispatch runs, all its loops together, as loopCost counts them
 * (0 for a kernel without loops); over LOOP_ITERATION_LIMIT the dispatch is refused, since
 * llvmpipe would cut it short silently.
 */
export function dispatch<F extends Fields = Record<never, never>>(
  spec: KernelSpec<F>,
  params: NoInfer<ParamValues<F>>,
  buffers: GPUBuffer[],
  workgroups: [number, number?, number?],
  loopIterations: number,
) {
  if (!(Number.isSafeInteger(loopIterations) && loopIterations >= 0)) {
    throw new Error(`neurad: kernel ${spec.name} got loopIterations ${loopIterations}`);
  }
  if (loopIterations > LOOP_ITERATION_LIMIT) {
    throw new Error(
      `neurad: kernel ${spec.name} would run ${loopIterations} loop iterations per invocation; ` +
        `llvmpipe silently stops loops after ${LOOP_ITERATION_LIMIT} (split the work)`,
    );
  }
  const s = st();
  const p = pipelineFor(s, spec as KernelSpec<Fields>);
  if (loopIterations === 0 && p.loops) {
    throw new Error(`neurad: kernel ${spec.name} has loops but was dispatched with a bound of 0`);
  }
  if (loopIterations > (loopRecord.get(spec.name) ?? -1)) loopRecord.set(spec.name, loopIterations);
  if (buffers.length !== spec.inputs + spec.outputs) {
    throw new Error(
      `neurad: kernel ${spec.name} takes ${
        spec.inputs + spec.outputs
      } buffers, got ${buffers.length}`,
    );
  }
  const block = spec.params;
  const slot = block ? block.size : 16;
  const stride = Math.ceil(slot / s.uniformAlign) * s.uniformAlign;
  if (
    s.arenaUsed + stride > ARENA_BYTES || s.dispatches >= MAX_DISPATCHES_PER_SUBMIT ||
    (timer && !timer.hasRoom())
  ) flush();
  const offset = s.arenaUsed;
  s.arenaCpu.fill(0, offset, offset + slot);
  block?.writeTo(s.arenaWords, offset / 4, params);
  s.arenaUsed += stride;

  const bindGroup = bindGroupFor(s, spec as KernelSpec<Fields>, p, slot, buffers);
  s.encoder ??= s.device.createCommandEncoder({ label: "neurad" });
  let timed: number | null = null;
  if (timer) {
    // A pass of its own with begin/end timestamps.
    if (s.pass) {
      s.pass.end();
      s.pass = null;
    }
    timed = timer.reserve(spec.name)!; // room made before the uniforms were placed
    s.pass = s.encoder.beginComputePass({
      label: spec.name,
      timestampWrites: {
        querySet: timer.querySet,
        beginningOfPassWriteIndex: timed,
        endOfPassWriteIndex: timed + 1,
      },
    });
  }
  s.pass ??= s.encoder.beginComputePass({ label: "neurad" });
  s.pass.setPipeline(p.pipeline);
  s.pass.setBindGroup(0, bindGroup, [offset]);
  s.pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
  if (timed !== null) {
    s.pass.end();
    s.pass = null;
  }
  s.dispatches++;
  s.lastKernel = spec.name;
}

/**
 * Starts timing every dispatch on the GPU (`timestamp-query`; one-line error without it). Work
 * recorded before is submitted untimed.
 */
export function startKernelTiming() {
  const s = st();
  if (timer) throw new Error("neurad: kernel timing is already on");
  flush();
  timer = new KernelTimer(s.device);
}

/** Stops timing; waits for the GPU and returns the total time per kernel name, longest first. */
export async function stopKernelTiming(): Promise<KernelTime[]> {
  if (!timer) throw new Error("neurad: kernel timing is not on");
  flush();
  const t = timer;
  timer = null;
  const times = await t.results();
  t.destroy();
  return times;
}

/** Records a buffer-to-buffer copy in order with the dispatches. */
export function copyBuffer(
  src: GPUBuffer,
  srcOffset: number,
  dst: GPUBuffer,
  dstOffset: number,
  bytes: number,
) {
  const s = st();
  s.encoder ??= s.device.createCommandEncoder({ label: "neurad" });
  if (s.pass) {
    s.pass.end();
    s.pass = null;
  }
  s.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
}

/** Submits everything recorded so far. */
export function flush() {
  const s = st();
  if (!s.encoder) return;
  if (s.pass) s.pass.end();
  if (s.arenaUsed) s.device.queue.writeBuffer(s.arena, 0, s.arenaCpu, 0, s.arenaUsed);
  const mapTimes = timer?.resolve(s.encoder);
  s.device.queue.submit([s.encoder.finish()]);
  mapTimes?.();
  for (const b of s.afterSubmit) b.destroy();
  s.afterSubmit = [];
  s.encoder = null;
  s.pass = null;
  s.arenaUsed = 0;
  s.dispatches = 0;
  checkErrors(s.lastKernel);
}

/** Writes host data into a buffer, ordered after everything recorded so far. */
export function upload(buffer: GPUBuffer, data: ArrayBufferView, offset = 0) {
  const s = st();
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // queue.writeBuffer runs before unsubmitted commands; a staging copy keeps program order.
  if (s.encoder) {
    const size = Math.ceil(bytes.length / 4) * 4;
    const staging = s.device.createBuffer({
      size,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint8Array(staging.getMappedRange()).set(bytes);
    staging.unmap();
    copyBuffer(staging, 0, buffer, offset, size);
    s.afterSubmit.push(staging);
  } else {
    s.device.queue.writeBuffer(buffer, offset, bytes);
  }
}

/** Reads `bytes` bytes of a buffer back to the host (flushes first). */
export async function readBuffer(
  buffer: GPUBuffer,
  bytes: number,
  offset = 0,
): Promise<ArrayBuffer> {
  const s = st();
  const size = Math.ceil(bytes / 4) * 4;
  const staging = s.device.createBuffer({
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  copyBuffer(buffer, offset, staging, 0, size);
  flush();
  try {
    await staging.mapAsync(GPUMapMode.READ);
    checkErrors(s.lastKernel);
    return staging.getMappedRange().slice(0, bytes);
  } finally {
    staging.destroy();
  }
}

/** Staging buffers of a batched readback hold at most this many bytes each. */
const READ_CHUNK_BYTES = 64 << 20;

/**
 * Reads many buffers back with one flush and one wait: each chunk of up to 64 MiB gets one
 * staging buffer, and all chunks map concurrently. A sync point costs ≥ 11.6 ms in Deno (it
 * polls with 10 ms sleeps), so reading N tensors one by one costs N of them; this costs one.
 */
export async function readBuffers(
  list: readonly { buffer: GPUBuffer; bytes: number }[],
  chunkBytes = READ_CHUNK_BYTES,
): Promise<ArrayBuffer[]> {
  const s = st();
  const out: ArrayBuffer[] = new Array(list.length);
  const chunks: { staging: GPUBuffer; parts: { i: number; at: number; bytes: number }[] }[] = [];
  let parts: { i: number; at: number; bytes: number }[] = [];
  let size = 0;
  const close = () => {
    if (!parts.length) return;
    const staging = s.device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    for (const p of parts) {
      copyBuffer(list[p.i].buffer, 0, staging, p.at, Math.ceil(p.bytes / 4) * 4);
    }
    chunks.push({ staging, parts });
    parts = [];
    size = 0;
  };
  list.forEach(({ bytes }, i) => {
    if (bytes === 0) {
      out[i] = new ArrayBuffer(0);
      return;
    }
    const padded = Math.ceil(bytes / 4) * 4;
    if (size > 0 && size + padded > chunkBytes) close();
    parts.push({ i, at: size, bytes });
    size += padded;
  });
  close();
  flush();
  try {
    await Promise.all(chunks.map((c) => c.staging.mapAsync(GPUMapMode.READ)));
    checkErrors(s.lastKernel);
    for (const c of chunks) {
      const range = c.staging.getMappedRange();
      for (const p of c.parts) out[p.i] = range.slice(p.at, p.at + p.bytes);
    }
    return out;
  } finally {
    for (const c of chunks) c.staging.destroy();
  }
}

/** Flushes and waits until the GPU has finished everything submitted. */
export async function sync() {
  flush();
  const s = st();
  await s.device.queue.onSubmittedWorkDone();
  checkErrors(s.lastKernel);
}
