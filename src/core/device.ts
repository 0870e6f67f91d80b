// The one WebGPU adapter/device of the process: acquisition with the adapter's full limits,
// a clear one-line error when there is none, and surfacing of validation errors and device loss.

import { platform } from "./platform.ts";
import { detectBackend, vendorName } from "./device_backend.ts";

export interface DeviceInfo {
  description: string;
  /** Readable vendor ("NVIDIA", "Mesa (software)"), never a raw PCI id; that is `vendorId`. */
  vendor: string;
  vendorId: string;
  architecture: string;
  backend: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
}

interface Runtime {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: DeviceInfo;
  errors: string[];
  lost: string | null;
}

let runtime: Runtime | null = null;
let pending: Promise<Runtime> | null = null;

/** Thrown when no WebGPU adapter exists; its message is one line saying what to install. */
export class NoAdapterError extends Error {
  override name = "NoAdapterError";
}

const NO_ADAPTER = "no WebGPU adapter found: install a GPU driver, or on headless Linux Mesa's " +
  "software renderer (as root: `apt-get update && apt-get install -y mesa-vulkan-drivers`)";

// Limits we raise to the adapter's maximum so large tensors and grids fit.
const RAISED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
] as const;

async function acquire(): Promise<Runtime> {
  if (!("gpu" in navigator) || !navigator.gpu) throw new NoAdapterError(NO_ADAPTER);
  const runtimeDir = platform().env("XDG_RUNTIME_DIR") ? null : tempRuntimeDir();
  let adapter: GPUAdapter | null, device: GPUDevice;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) throw new NoAdapterError(NO_ADAPTER);
    const requiredLimits: Record<string, number> = {};
    for (const k of RAISED_LIMITS) {
      requiredLimits[k] = (adapter.limits as unknown as Record<string, number>)[k];
    }
    const wanted: GPUFeatureName[] = ["timestamp-query"];
    const requiredFeatures = wanted.filter((f) => adapter!.features.has(f));
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } finally {
    // Only adapter/device creation reads it: nothing stays behind in /tmp.
    if (runtimeDir) {
      platform().removeDir(runtimeDir);
    }
  }
  const ai = adapter.info;
  const limits: Record<string, number> = {};
  for (const k in device.limits) {
    const v = (device.limits as unknown as Record<string, number>)[k];
    if (typeof v === "number") limits[k] = v;
  }
  const info: DeviceInfo = {
    description: ai.description || ai.device || "unknown adapter",
    vendor: vendorName(ai.vendor, ai.description),
    vendorId: ai.vendor,
    architecture: ai.architecture,
    backend: detectBackend(adapter.limits as unknown as Record<string, number>),
    isFallbackAdapter: (ai as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      false,
    features: [...adapter.features].map(String).sort(),
    limits,
  };
  const rt: Runtime = { device, adapter, info, errors: [], lost: null };
  device.addEventListener("uncapturederror", (ev) => {
    rt.errors.push((ev as GPUUncapturedErrorEvent).error.message.replace(/\s+/g, " ").trim());
  });
  device.lost.then((l) => {
    rt.lost = `${l.reason}: ${l.message}`;
  });
  return rt;
}

function tempRuntimeDir(): string | null {
  // The GL/EGL probe warns loudly without XDG_RUNTIME_DIR; any writable folder silences it.
  const p = platform();
  const dir = p.makeTempDir("neurad-xdg-");
  if (dir === null) return null; // no file system or no permission: warnings only
  if (!p.setEnv("XDG_RUNTIME_DIR", dir)) {
    p.removeDir(dir);
    return null;
  }
  return dir;
}

/** Acquires (once) and returns the process's device. Every op needs this awaited first. */
export async function getDevice(): Promise<GPUDevice> {
  if (runtime) return runtime.device;
  pending ??= acquire();
  try {
    runtime = await pending;
  } finally {
    pending = null;
  }
  drainAtExit();
  return runtime.device;
}

let drainHooked = false;

/**
 * In Deno, when the event loop runs dry (the "beforeunload" event: a program or a test module
 * about to end), waits for the GPU work still in flight and releases the device, as the CLI does
 * with releaseDevice(). Without it wgpu drops the queue at exit waiting at most 6.3 s for the
 * last submission and then panics, and llvmpipe compiles a kernel at its first dispatch, so a
 * submission holding first uses of large kernels (5-12 s each to compile, cold cache) ended test
 * modules with "We timed out while waiting on the last successful submission to complete!". The
 * pending wait keeps the loop alive; the event fires again once the device is released.
 */
function drainAtExit() {
  if (drainHooked || platform().name !== "deno") return;
  const target = globalThis as { addEventListener?: (t: string, f: () => void) => void };
  if (typeof target.addEventListener !== "function") return;
  drainHooked = true;
  target.addEventListener("beforeunload", () => {
    if (runtime) void releaseDevice();
  });
}

/** Information about the adapter in use (after getDevice()). */
export function deviceInfo(): DeviceInfo {
  return rt().info;
}

/** The runtime, synchronously; throws a clear error if getDevice() was not awaited. */
export function rt(): Runtime {
  if (!runtime) {
    throw new Error("neurad: no device yet: `await getDevice()` before creating tensors");
  }
  if (runtime.lost) throw new Error(`neurad: GPU device lost (${runtime.lost})`);
  return runtime;
}

/** Throws the first WebGPU error recorded since the last check, naming `where`. */
export function checkErrors(where: string) {
  const r = runtime!;
  if (r.lost) throw new Error(`neurad: GPU device lost after kernel ${where} (${r.lost})`);
  if (r.errors.length) {
    const msg = r.errors[0];
    r.errors.length = 0;
    throw new Error(`neurad: WebGPU error (last kernel: ${where}): ${msg}`);
  }
}

/** Waits for the GPU work already submitted, then destroys the device (call before exiting). */
export async function releaseDevice(): Promise<void> {
  const r = runtime;
  if (!r) return;
  runtime = null;
  try {
    await r.device.queue.onSubmittedWorkDone();
  } catch { /* device lost: nothing to wait for */ }
  r.device.destroy();
}
