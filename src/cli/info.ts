// `deno task info`: the WebGPU adapter in use, its backend, limits and features, and the
// kernel variants neurad will pick on it.

import { parseArgs } from "node:util";
import { deviceInfo, getDevice, matmulVariant } from "../mod.ts";
import { runCli } from "./run_cli.ts";

const HELP = `Usage: deno task info [--json]

Prints the WebGPU adapter neurad uses: name, backend, limits, features, kernel variants.
  --json   machine-readable output
  --help   this text`;

await runCli(async () => {
  const { values } = parseArgs({
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return console.log(HELP);
  await getDevice();
  const info = deviceInfo();
  const variants = { matmul: matmulVariant() };
  if (values.json) return console.log(JSON.stringify({ ...info, variants }, null, 2));
  const keys = [
    "maxStorageBufferBindingSize",
    "maxBufferSize",
    "maxComputeWorkgroupStorageSize",
    "maxComputeInvocationsPerWorkgroup",
    "maxComputeWorkgroupsPerDimension",
    "maxStorageBuffersPerShaderStage",
  ];
  console.log(
    `adapter:   ${info.description}${info.isFallbackAdapter ? " (software fallback)" : ""}`,
  );
  console.log(`vendor:    ${info.vendor || "?"} ${info.architecture}`);
  console.log(`backend:   ${info.backend}`);
  console.log(`deno:      ${Deno.version.deno} (${Deno.build.os}-${Deno.build.arch})`);
  console.log(`features:  ${info.features.join(", ")}`);
  console.log("limits:");
  for (const k of keys) console.log(`  ${k.padEnd(36)} ${info.limits[k]}`);
  console.log(`kernels:   matmul=${variants.matmul}`);
});
