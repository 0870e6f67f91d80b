// The end of a Deno program (or test module) with GPU work still in flight: the engine waits for
// it and releases the device when the event loop runs dry (src/core/device.ts, drainAtExit), so
// wgpu never drops a queue whose last submission is still running. Without that wait, a
// submission longer than wgpu's 6.3 s drop timeout (cold-compiled kernels on llvmpipe) ended the
// process with a panic; this test checks the wait itself, which fails without the hook whatever
// the machine's speed.

import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./temp_dir.ts";

const mod = new URL("../src/mod.ts", import.meta.url).href;
const dispatchMod = new URL("../src/core/dispatch.ts", import.meta.url).href;

Deno.test("a program that ends with submitted GPU work waits for it and releases the device", async () => {
  const dir = await tempDir();
  const script = join(dir, "exit_with_work.ts");
  await Deno.writeTextFile(
    script,
    `import { conv2d, deviceInfo, getDevice, Tensor } from "${mod}";
import { flush } from "${dispatchMod}";
await getDevice();
const x = Tensor.from(new Float32Array(2 * 8 * 32 * 32).fill(1), [2, 8, 32, 32]);
const w = Tensor.from(new Float32Array(16 * 8 * 9).fill(1), [16, 8, 3, 3]);
conv2d(x, w, null, { padding: 1 });
flush(); // submitted, never awaited
globalThis.addEventListener("unload", () => {
  let released = false;
  try {
    deviceInfo();
  } catch {
    released = true;
  }
  console.log("released at unload: " + released);
});
`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /released at unload: true/);
  assert.doesNotMatch(text, /panicked/);
});
