// What the WebGPU adapter really is, from what Deno exposes: the graphics backend wgpu chose
// (Deno's GPUAdapterInfo has no backend field) and a readable vendor name instead of a PCI id.
// Backend: DENO_WEBGPU_BACKEND when it names one backend; else the platform (Metal on macOS);
// else wgpu's GL backend is recognised by its unbounded bindings-per-group limit (2^32 − 1, where
// Vulkan and DX12 report about a thousand) — measured on llvmpipe, which wgpu reaches through
// Vulkan (lavapipe) or, when no Vulkan driver is installed, through EGL/GL.

import { platform } from "./platform.ts";

const VENDORS: Record<number, string> = {
  0x1002: "AMD",
  0x1022: "AMD",
  0x10de: "NVIDIA",
  0x8086: "Intel",
  0x106b: "Apple",
  0x13b5: "Arm",
  0x5143: "Qualcomm",
  0x1010: "Imagination",
  0x14e4: "Broadcom",
  0x1414: "Microsoft",
  0x10005: "Mesa (software)",
};

/** A readable vendor: a known PCI id's name, the adapter's own string, or "unknown". */
export function vendorName(vendor: string, description = ""): string {
  const id = /^\d+$/.test(vendor)
    ? Number(vendor)
    : /^0x[0-9a-f]+$/i.test(vendor)
    ? parseInt(vendor, 16)
    : NaN;
  if (Number.isFinite(id)) {
    if (VENDORS[id]) return VENDORS[id];
    if (/llvmpipe|lavapipe|swiftshader/i.test(description)) return "software";
    return "unknown";
  }
  return vendor || "unknown";
}

/** "vulkan", "gl", "metal", "dx12" — the backend the adapter runs on. */
export function detectBackend(adapterLimits: Record<string, number>): string {
  const env = (platform().env("DENO_WEBGPU_BACKEND") ?? "").trim().toLowerCase();
  if (/^(vulkan|gl|metal|dx12)$/.test(env)) return env;
  if (platform().os === "darwin") return "metal";
  if (adapterLimits.maxBindingsPerBindGroup >= 0xffffffff) return "gl";
  return platform().os === "windows" ? "dx12" : "vulkan";
}
