// onnxruntime-web 1.31 as a conv peer (_conv_peers.ts), installed by the bench into a temporary
// folder (_install.ts): its WebGPU execution provider and, for scale, its wasm (CPU SIMD) one,
// single-threaded (web builds start no wasm threads in Deno). onnxruntime-web runs inference
// only, so each pass is an ONNX graph (_onnx.ts) of what ORT offers: forward Conv with the
// weight as an initializer (as in a deployed model); input gradient ConvTranspose (the weight
// as is, output_padding for the exact H × W); weight gradient the conv of x and dY with batch
// and channels swapped (Transpose, Conv dilated by the stride with dY as the kernel, Slice to
// k × k, Transpose), the usual way to get dW from forward ops; fwd+bwd the three in one graph.
// On WebGPU the inputs live in GPU buffers on ORT's device and outputs stay there
// (preferredOutputLocation "gpu-buffer"); a wait copies 4 bytes of the last output to a mapped
// buffer on that device (ORT submits at the end of run()).

import type { ConvData, Engine, Pass, PassRunner, Runners } from "./_conv_peers.ts";
import { type OnnxGraph, onnxModel, type OnnxNode } from "./_onnx.ts";
import { packageUrl, peerPackages } from "./_install.ts";

export const ORT_VERSION = "1.31.1";

// deno-lint-ignore no-explicit-any
type Ort = any;
// deno-lint-ignore no-explicit-any
type OrtTensor = any;
type Out = Promise<Record<string, OrtTensor>>;

let ortModule: Ort | null = null;

export async function loadOrt(): Promise<Ort> {
  if (ortModule) return ortModule;
  const nm = await peerPackages({ "onnxruntime-web": ORT_VERSION });
  const ort = await import(packageUrl(nm, "onnxruntime-web/dist/ort.webgpu.bundle.min.mjs"));
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = "error";
  ortModule = ort;
  return ort;
}

/** The graph of one pass; inputs x [N,C,H,W] and/or g [N,Co,Ho,Wo], weight w as initializer. */
function passGraph(pass: Pass, { shape: sh, w }: ConvData): OnnxGraph {
  const { N, C, H, W, k, s, p, Co, Ho, Wo } = sh;
  const xs = [N, C, H, W], gs = [N, Co, Ho, Wo], ws = [Co, C, k, k];
  const conv = {
    op: "Conv",
    inputs: ["x", "w"],
    outputs: ["y"],
    attrs: { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p] },
  };
  const op = [H - s * (Ho - 1) - k + 2 * p, W - s * (Wo - 1) - k + 2 * p];
  const convT = {
    op: "ConvTranspose",
    inputs: ["g", "w"],
    outputs: ["dx"],
    attrs: { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], output_padding: op },
  };
  const swap = [1, 0, 2, 3];
  const wgrad: OnnxNode[] = [
    { op: "Transpose", inputs: ["x"], outputs: ["xt"], attrs: { perm: swap } },
    { op: "Transpose", inputs: ["g"], outputs: ["gt"], attrs: { perm: swap } },
    {
      op: "Conv",
      inputs: ["xt", "gt"],
      outputs: ["z"],
      attrs: { kernel_shape: [Ho, Wo], dilations: [s, s], pads: [p, p, p, p] },
    },
    { op: "Slice", inputs: ["z", "zero", "kk", "axes"], outputs: ["zs"] },
    { op: "Transpose", inputs: ["zs"], outputs: ["dw"], attrs: { perm: swap } },
  ];
  const sliceInit = {
    zero: { dims: [2], i64: [0, 0] },
    kk: { dims: [2], i64: [k, k] },
    axes: { dims: [2], i64: [2, 3] },
  };
  const wInit = { w: { dims: ws, f32: w } };
  switch (pass) {
    case "forward":
      return { nodes: [conv], inputs: { x: xs }, outputs: { y: gs }, initializers: wInit };
    case "input grad":
      return { nodes: [convT], inputs: { g: gs }, outputs: { dx: xs }, initializers: wInit };
    case "weight grad":
      return {
        nodes: wgrad,
        inputs: { x: xs, g: gs },
        outputs: { dw: ws },
        initializers: sliceInit,
      };
    case "fwd+bwd":
      return {
        nodes: [conv, convT, ...wgrad],
        inputs: { x: xs, g: gs },
        outputs: { y: gs, dx: xs, dw: ws },
        initializers: { ...wInit, ...sliceInit },
      };
  }
}

export function ortEngine(ep: "webgpu" | "wasm"): Engine {
  let sessions: { release(): Promise<void> }[] = [];
  let buffers: GPUBuffer[] = [];
  let inputs: OrtTensor[] = [];
  return {
    name: ep === "webgpu" ? "ORT WebGPU" : "ORT wasm",
    init: async () => void await loadOrt(),
    async prepare(d) {
      const ort = await loadOrt();
      const out: Runners = {};
      const { N, C, H, W, Co, Ho, Wo } = d.shape;
      const host: Record<string, [Float32Array, number[]]> = {
        x: [d.x, [N, C, H, W]],
        g: [d.g, [N, Co, Ho, Wo]],
      };
      const feeds: Record<string, OrtTensor> = {};
      for (const pass of ["forward", "input grad", "weight grad", "fwd+bwd"] as Pass[]) {
        const graph = passGraph(pass, d);
        const session = await ort.InferenceSession.create(onnxModel(graph), {
          executionProviders: [ep],
          ...(ep === "webgpu" ? { preferredOutputLocation: "gpu-buffer" } : {}),
        });
        sessions.push(session);
        const device: GPUDevice | null = ep === "webgpu" ? await ort.env.webgpu.device : null;
        for (const name of Object.keys(graph.inputs)) {
          if (feeds[name]) continue;
          const [data, dims] = host[name];
          if (device) {
            const b = device.createBuffer({
              size: data.byteLength,
              usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
            });
            device.queue.writeBuffer(b, 0, data);
            buffers.push(b);
            feeds[name] = ort.Tensor.fromGpuBuffer(b, { dataType: "float32", dims });
          } else feeds[name] = new ort.Tensor("float32", data, dims);
          inputs.push(feeds[name]);
        }
        const names = Object.keys(graph.outputs);
        const myFeeds = Object.fromEntries(Object.keys(graph.inputs).map((n) => [n, feeds[n]]));
        const runner: PassRunner<Out> = {
          run: () => session.run(myFeeds),
          async wait(r) {
            const o = await r;
            if (device) await waitFor(device, o[names[names.length - 1]].gpuBuffer);
          },
          read: async (r) => {
            const o = await r;
            return await Promise.all(names.map(async (n) => await o[n].getData() as Float32Array));
          },
          free: (r) => void r.then((o) => Object.values(o).forEach((t: OrtTensor) => t.dispose())),
        };
        out[pass] = [runner];
      }
      return out;
    },
    release() {
      sessions.forEach((s) => s.release());
      buffers.forEach((b) => b.destroy());
      [sessions, buffers, inputs] = [[], [], []];
    },
  };
}

/** Waits for the work that writes `b`: a 4-byte copy mapped for reading. */
async function waitFor(device: GPUDevice, b: GPUBuffer) {
  const staging = device.createBuffer({
    size: 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(b, 0, staging, 0, 4);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  staging.destroy();
}
