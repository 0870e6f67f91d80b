/**
 * Before a command runs kernels: on an adapter the whole test suite has not been run on, the
 * engine's self-check (src/kernels/self_check.ts) runs, and a disagreement refuses the command
 * with one line naming the adapter and the first wrong result, rather than letting it write a
 * wrong anomaly map or train on wrong gradients.
 * @module
 */
import { deviceInfo } from "../core/device.ts";
import { UserError } from "../core/errors.ts";
import { selfCheck } from "../kernels/self_check.ts";

/** Throws a one-line UserError when the kernels compute wrong on this adapter. */
export async function requireCorrectKernels(): Promise<void> {
  const r = await selfCheck();
  if (r.status !== "failed") return;
  const info = deviceInfo();
  throw new UserError(
    `${info.description} (${info.backend}): neurad's kernels compute wrong on this adapter ` +
      `(${r.failures[0]}${r.failures.length > 1 ? `; ${r.failures.length} checks failed` : ""}); ` +
      "refusing to run: see `neurad info` and try another backend (DENO_WEBGPU_BACKEND)",
  );
}
