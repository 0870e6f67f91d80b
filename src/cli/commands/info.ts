// `neurad info`: the WebGPU adapter in use — name, vendor, the backend wgpu really runs on,
// limits, features — and every kernel variant neurad picks on it (matmul, conv, nearest code) —
// and where neurad keeps its preprocessing cache (src/data/cache_dir.ts).

import { isVerifiedAdapter, selfCheck } from "../../kernels/self_check.ts";
import { bool, defineCommand } from "../command.ts";
import { convVariant, deviceInfo, getDevice, matmulVariant } from "../../mod.ts";
import { nearestCodeVariant } from "../../kernels/nearest_code.ts";
import { NEURAD_VERSION } from "../../util/version.ts";
import { userCacheDir } from "../../data/cache_dir.ts";

const LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
];

/** Every per-adapter kernel choice (after getDevice()). */
export function kernelChoices(): Record<string, string> {
  return {
    matmul: matmulVariant(),
    conv: convVariant(1),
    "conv (transposed, stride-dilated input)": convVariant(2),
    nearestCode: nearestCodeVariant(),
  };
}

export const infoCommand = defineCommand({
  name: "info",
  summary: "the WebGPU adapter, its backend, limits and features, and the kernels chosen on it",
  flags: { json: bool({ default: false, help: "machine-readable output" }) },
  async run({ json }) {
    await getDevice();
    const info = deviceInfo();
    const kernels = kernelChoices();
    const check = await selfCheck({ force: true });
    const selfCheckLine = check.status === "failed"
      ? `FAILED (${check.failures.join("; ")})`
      : `passed${isVerifiedAdapter() ? " (an adapter the whole test suite passes on)" : ""}`;
    const runtime = { neurad: NEURAD_VERSION, deno: Deno.version.deno, os: Deno.build.os };
    const cacheDir = userCacheDir() ?? null;
    if (json) {
      console.log(
        JSON.stringify({ ...info, kernels, selfCheck: check, runtime, cacheDir }, null, 2),
      );
      return;
    }
    console.log(
      `adapter:   ${info.description}${info.isFallbackAdapter ? " (software fallback)" : ""}`,
    );
    console.log(`vendor:    ${info.vendor}${info.architecture ? ` ${info.architecture}` : ""}`);
    console.log(`backend:   ${info.backend}`);
    console.log(`self-check: ${selfCheckLine}`);
    console.log(
      `neurad:    ${NEURAD_VERSION} on deno ${Deno.version.deno} (${Deno.build.os}-${Deno.build.arch})`,
    );
    console.log(
      `cache:     ${cacheDir ?? "none (no home folder: set NEURAD_CACHE_DIR)"} ` +
        "(preprocessed volumes; NEURAD_CACHE_DIR moves it)",
    );
    console.log(`features:  ${info.features.join(", ")}`);
    console.log("limits:");
    for (const k of LIMITS) console.log(`  ${k.padEnd(36)} ${info.limits[k]}`);
    console.log("kernels:");
    for (const [k, v] of Object.entries(kernels)) console.log(`  ${k.padEnd(40)} ${v}`);
  },
});
