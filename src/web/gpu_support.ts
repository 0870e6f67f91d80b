// Whether this browser can run neurad: WebGPU present, an adapter found, and its limits at least
// the ones the engine's kernels are written for. Every failure is one line that names what to
// turn on where (Chrome/Edge flags, Firefox's about:config pref, Safari's feature flag), never a
// blank page or a stack trace. Used by the worker before it opens the device.

/** The browser settings that turn WebGPU on, in one sentence. */
export const ENABLE_WEBGPU =
  "use Chrome or Edge 113+ (on Linux also enable chrome://flags/#enable-unsafe-webgpu and " +
  "chrome://flags/#enable-vulkan), Firefox 141+ on Windows or Firefox Nightly with " +
  "dom.webgpu.enabled set to true in about:config, or Safari 26 (Safari Technology Preview: " +
  "Develop → Feature Flags → WebGPU)";

/** The limits the engine's kernels assume (WebGPU's defaults; compatibility-mode adapters and
 * some mobile GPUs have less). */
export const REQUIRED_LIMITS: Readonly<Record<string, number>> = {
  maxStorageBuffersPerShaderStage: 8,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBufferBindingSize: 128 * 2 ** 20,
};

/** One line when `gpu` (navigator.gpu) is missing; null when present. */
export function webgpuMissing(gpu: unknown): string | null {
  if (gpu) return null;
  return `This browser has no WebGPU, which neurad needs to run the model on your GPU: ${ENABLE_WEBGPU}.`;
}

/** One line naming the limits an adapter lacks; null when it has them all. */
export function adapterTooSmall(limits: Record<string, number>): string | null {
  const short = Object.entries(REQUIRED_LIMITS).filter(([k, need]) => !(limits[k] >= need));
  if (short.length === 0) return null;
  const list = short.map(([k, need]) => `${k} ${limits[k] ?? "missing"} < ${need}`).join(", ");
  return `This GPU adapter is too small for neurad (${list}): try another browser or GPU; ` +
    ENABLE_WEBGPU + ".";
}

/** One line for an engine error that says a tensor or buffer does not fit the adapter. */
export function tooSmallForModel(message: string): string | null {
  if (!/storage-binding limit|maxBufferSize|out of memory|OutOfMemory/i.test(message)) return null;
  return `This GPU adapter is too small for this model (${
    message.replace(/^neurad: /, "").split("\n")[0]
  }): use a browser on a machine with a larger GPU, or a smaller model.`;
}
