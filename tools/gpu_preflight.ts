// First step of `deno task test`: checks that a WebGPU adapter exists. Without one it prints a
// single line saying why and what to install, and exits 1 — instead of every GPU test failing
// with its own stack trace.

import { getDevice, NoAdapterError } from "../src/mod.ts";
import { deviceInfo, releaseDevice } from "../src/core/device.ts";

try {
  await getDevice();
  const info = deviceInfo();
  console.log(`test adapter: ${info.description} (${info.backend})`);
  await releaseDevice();
} catch (e) {
  const why = e instanceof NoAdapterError ? e.message : `cannot open the WebGPU device (${e})`;
  console.error(`error: the test suite needs WebGPU: ${why.split("\n")[0]}`);
  Deno.exit(1);
}
